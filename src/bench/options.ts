// Bench settings as the CLI flags and the action inputs spell them (strings), checked and
// converted to BenchOptions. One name per setting everywhere: --min-duration, min-duration.
import { FLAG_NAMES, UserError, settingName, type SettingNames } from '../errors.js';
import { parseDuration, parseWhole } from '../units.js';
import type { BenchOptions } from './types.js';
import { type DataSource, parseDataFlag, parseDimFlag, parseShapeFlag } from '../tensors/index.js';
import type { OptLevel, Scenario } from './protocol.js';
import { PRECISIONS, RUNTIMES, type RuntimeChoice } from './backends/index.js';
import type { Precision } from '../results/types.js';

export const OPT_LEVELS: OptLevel[] = ['disabled', 'basic', 'extended', 'layout', 'all'];
export const SCENARIOS: Scenario[] = ['single-stream', 'multi-stream', 'offline'];

/** LoadGen's minimums (100 queries, 10 s) with Olive's 10 warm-up runs. */
export const BENCH_DEFAULTS = {
  threads: 0,
  executionProvider: 'cpu',
  optLevel: 'all' as OptLevel,
  scenario: 'single-stream' as Scenario,
  warmup: 10,
  minIterations: 100,
  maxIterations: 0,
  minDurationMs: 10_000,
  maxDurationMs: 60_000,
  seed: 1,
  profile: false,
  keepSamples: false,
};

function oneOf(value: string, allowed: readonly string[], what: string): string {
  if (!allowed.includes(value)) throw new UserError(`${what} ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
  return value;
}

export interface BenchFlags {
  input: string[];
  dim: string[];
  data: string[];
  threads: string;
  ep: string;
  optLevel: string;
  scenario: string;
  samplesPerQuery?: string;
  warmup: string;
  minIterations: string;
  maxIterations: string;
  minDuration: string;
  maxDuration: string;
  seed: string;
  profile?: boolean;
  samples?: boolean;
  deviceLabel?: string;
  runtime?: string;
  toolPath?: string;
  precision?: string;
}

/** `edgeml bench`'s defaults as its flags spell them: the CLI's, the benchmark action's and edgeml.yml's. */
export const BENCH_FLAG_DEFAULTS: BenchFlags = {
  input: [],
  dim: [],
  data: [],
  threads: String(BENCH_DEFAULTS.threads),
  ep: BENCH_DEFAULTS.executionProvider,
  optLevel: BENCH_DEFAULTS.optLevel,
  scenario: BENCH_DEFAULTS.scenario,
  warmup: String(BENCH_DEFAULTS.warmup),
  minIterations: String(BENCH_DEFAULTS.minIterations),
  maxIterations: String(BENCH_DEFAULTS.maxIterations),
  minDuration: `${BENCH_DEFAULTS.minDurationMs / 1000}s`,
  maxDuration: `${BENCH_DEFAULTS.maxDurationMs / 1000}s`,
  seed: String(BENCH_DEFAULTS.seed),
};

function pairs<T>(values: string[], parse: (raw: string) => [string, T], flag: string, names: SettingNames): Record<string, T> {
  const out: Record<string, T> = {};
  for (const raw of values) {
    const [name, value] = parse(raw);
    if (name in out) throw new UserError(`${settingName(names, flag)} ${name}=... is given twice; give each input once`);
    out[name] = value;
  }
  return out;
}

/** `names` says how messages name each setting: by its flag, or by its key in edgeml.yml. */
export function benchOptionsFromFlags(model: string, f: BenchFlags, names: SettingNames = FLAG_NAMES): BenchOptions {
  const n = (flag: string) => settingName(names, flag);
  const minDurationMs = parseDuration(f.minDuration, n('--min-duration'));
  const maxDurationMs = parseDuration(f.maxDuration, n('--max-duration'));
  if (maxDurationMs < minDurationMs) {
    const max = names.key('--max-duration');
    throw new UserError(`${names.at('--max-duration')}${max} ${f.maxDuration} is shorter than ${names.key('--min-duration')} ${f.minDuration}; raise ${max}`);
  }
  const runtime = oneOf(f.runtime || 'onnxruntime', RUNTIMES, '--runtime') as RuntimeChoice;
  const precision = f.precision ? (oneOf(f.precision, PRECISIONS, '--precision') as Precision) : undefined;
  if (precision && runtime === 'onnxruntime') {
    throw new UserError(`--precision ${precision} is for a vendor runtime (--runtime tensorrt|openvino|tflite); for ONNX Runtime make an fp16 or int8 model with 'edgeml optimize'`);
  }
  if (f.toolPath && runtime === 'onnxruntime') throw new UserError('--tool-path is for a vendor runtime: add --runtime tensorrt, openvino or tflite');
  return {
    model,
    inputs: {
      shapes: pairs(f.input, parseShapeFlag, '--input', names),
      dims: pairs(f.dim, parseDimFlag, '--dim', names),
      data: pairs<DataSource>(f.data, parseDataFlag, '--data', names),
    },
    threads: parseWhole(f.threads, n('--threads')),
    executionProvider: f.ep,
    optLevel: oneOf(f.optLevel, OPT_LEVELS, n('--opt-level')) as OptLevel,
    scenario: oneOf(f.scenario, SCENARIOS, n('--scenario')) as Scenario,
    ...(f.samplesPerQuery !== undefined ? { samplesPerQuery: parseWhole(f.samplesPerQuery, n('--samples-per-query'), 1) } : {}),
    warmup: parseWhole(f.warmup, n('--warmup')),
    minIterations: parseWhole(f.minIterations, n('--min-iterations'), 1),
    maxIterations: parseWhole(f.maxIterations, n('--max-iterations')),
    minDurationMs,
    maxDurationMs,
    seed: parseWhole(f.seed, n('--seed')),
    profile: !!f.profile,
    keepSamples: !!f.samples,
    ...(f.deviceLabel ? { deviceLabel: f.deviceLabel } : {}),
    ...(runtime !== 'onnxruntime' ? { runtime } : {}),
    ...(f.toolPath ? { toolPath: f.toolPath } : {}),
    ...(precision ? { precision } : {}),
  };
}

