// Bench settings as the CLI flags and the action inputs spell them (strings), checked and
// converted to BenchOptions. One name per setting everywhere: --min-duration, min-duration.
import { UserError } from '../errors.js';
import { parseDuration, parseWhole } from '../units.js';
import type { BenchOptions } from './index.js';
import { parseDataFlag, parseDimFlag, parseShapeFlag, type DataSource } from './inputs.js';
import type { OptLevel, Scenario } from './protocol.js';
import { PRECISIONS, RUNTIMES, type RuntimeChoice } from './backends/index.js';
import type { Precision } from '../results/types.js';

export const OPT_LEVELS: OptLevel[] = ['disabled', 'basic', 'extended', 'layout', 'all'];
export const SCENARIOS: Scenario[] = ['single-stream', 'multi-stream', 'offline'];

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

function pairs<T>(values: string[], parse: (raw: string) => [string, T], flag: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const raw of values) {
    const [name, value] = parse(raw);
    if (name in out) throw new UserError(`${flag} ${name}=... is given twice; give each input once`);
    out[name] = value;
  }
  return out;
}

export function benchOptionsFromFlags(model: string, f: BenchFlags): BenchOptions {
  const minDurationMs = parseDuration(f.minDuration, '--min-duration');
  const maxDurationMs = parseDuration(f.maxDuration, '--max-duration');
  if (maxDurationMs < minDurationMs) {
    throw new UserError(`--max-duration ${f.maxDuration} is shorter than --min-duration ${f.minDuration}; raise --max-duration`);
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
      shapes: pairs(f.input, parseShapeFlag, '--input'),
      dims: pairs(f.dim, parseDimFlag, '--dim'),
      data: pairs<DataSource>(f.data, parseDataFlag, '--data'),
    },
    threads: parseWhole(f.threads, '--threads'),
    executionProvider: f.ep,
    optLevel: oneOf(f.optLevel, OPT_LEVELS, '--opt-level') as OptLevel,
    scenario: oneOf(f.scenario, SCENARIOS, '--scenario') as Scenario,
    ...(f.samplesPerQuery !== undefined ? { samplesPerQuery: parseWhole(f.samplesPerQuery, '--samples-per-query', 1) } : {}),
    warmup: parseWhole(f.warmup, '--warmup'),
    minIterations: parseWhole(f.minIterations, '--min-iterations', 1),
    maxIterations: parseWhole(f.maxIterations, '--max-iterations'),
    minDurationMs,
    maxDurationMs,
    seed: parseWhole(f.seed, '--seed'),
    profile: !!f.profile,
    keepSamples: !!f.samples,
    ...(f.deviceLabel ? { deviceLabel: f.deviceLabel } : {}),
    ...(runtime !== 'onnxruntime' ? { runtime } : {}),
    ...(f.toolPath ? { toolPath: f.toolPath } : {}),
    ...(precision ? { precision } : {}),
  };
}

