// Bench settings as the CLI flags and the action inputs spell them (strings), checked and
// converted to BenchOptions. One name per setting everywhere: --min-duration, min-duration.
import { FLAG_NAMES, UserError, settingName, type SettingNames } from '../errors.js';
import { flagDefaults, pick, settingDefaults } from '../settings/index.js';
import { parseDuration, parseWhole } from '../units.js';
import { BENCH_SETTINGS, LENGTH_SETTINGS, MEASURE_SETTINGS, OPT_LEVELS, SCENARIOS } from './settings.js';
import type { BenchOptions } from './types.js';
import { type DataSource, parseDataFlag, parseDimFlag, parseShapeFlag } from '../tensors/index.js';
import type { OptLevel, Scenario } from './protocol.js';
import { PRECISIONS, RUNTIMES, type RuntimeChoice } from './backends/index.js';
import type { Precision } from '../results/types.js';

export { OPT_LEVELS, SCENARIOS };

const D = settingDefaults(BENCH_SETTINGS);
const MEASURED = [...Object.keys(MEASURE_SETTINGS), ...Object.keys(LENGTH_SETTINGS)] as Array<keyof typeof BENCH_SETTINGS>;

/** LoadGen's minimums (100 queries, 10 s) with Olive's 10 warm-up runs: BENCH_SETTINGS' defaults, typed. */
export const BENCH_DEFAULTS = {
  threads: D.threads,
  executionProvider: D.ep,
  optLevel: D.optLevel,
  scenario: D.scenario,
  warmup: D.warmup,
  minIterations: D.minIterations,
  maxIterations: D.maxIterations,
  minDurationMs: D.minDuration,
  maxDurationMs: D.maxDuration,
  seed: D.seed,
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

/** `edgeml bench`'s defaults as its flags spell them (BENCH_SETTINGS'): the CLI's, the benchmark action's and edgeml.yml's. */
export const BENCH_FLAG_DEFAULTS: BenchFlags = flagDefaults(pick(BENCH_SETTINGS, [...MEASURED, 'seed'])) as unknown as BenchFlags;

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

