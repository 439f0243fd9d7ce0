// Bench settings, typed (BENCH_SETTINGS' values: the CLI parses its flags once, the action its
// inputs, `edgeml run` edgeml.yml's keys), checked together and turned into BenchOptions.
import { FLAG_NAMES, UserError, settingName, type SettingNames } from '../errors.js';
import { settingDefaults, type SettingValues } from '../settings/index.js';
import { type DataSource, parseDataFlag, parseDimFlag, parseShapeFlag } from '../tensors/index.js';
import { BENCH_SETTINGS, LENGTH_SETTINGS, MEASURE_SETTINGS, OPT_LEVELS, SCENARIOS, SEED_SETTING } from './settings.js';
import type { BenchOptions } from './types.js';

export { OPT_LEVELS, SCENARIOS };

/** Every setting of `edgeml bench`, typed. */
export type BenchValues = SettingValues<typeof BENCH_SETTINGS>;

/** What is measured and for how long: the settings bench and compare share (compare with its own lengths). */
export type MeasureValues = SettingValues<typeof MEASURE_SETTINGS> & SettingValues<typeof LENGTH_SETTINGS> & SettingValues<typeof SEED_SETTING>;

/** The values BenchOptions are made from: the measured ones, and bench's own where given. */
export type BenchOptionValues = MeasureValues & Partial<Pick<BenchValues, 'profile' | 'samples' | 'runtime' | 'toolPath' | 'precision' | 'deviceLabel'>>;

const D = settingDefaults(BENCH_SETTINGS);

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

/** A duration in messages, as a user writes it: 1s, 500ms. */
export const showDuration = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

function pairs<T>(values: string[], parse: (raw: string) => [string, T], flag: string, names: SettingNames): Record<string, T> {
  const out: Record<string, T> = {};
  for (const raw of values) {
    const [name, value] = parse(raw);
    if (name in out) throw new UserError(`${settingName(names, flag)} ${name}=... is given twice; give each input once`);
    out[name] = value;
  }
  return out;
}

/**
 * Typed bench settings to BenchOptions: what the table cannot check alone (the length of a
 * measurement, a vendor runtime's settings, each input given once). `names` says how messages
 * name each setting: by its flag, its input, or its key in edgeml.yml.
 */
export function benchOptions(model: string, v: BenchOptionValues, names: SettingNames = FLAG_NAMES): BenchOptions {
  if (v.maxDuration < v.minDuration) {
    const max = names.key('--max-duration');
    throw new UserError(`${names.at('--max-duration')}${max} ${showDuration(v.maxDuration)} is shorter than ${names.key('--min-duration')} ${showDuration(v.minDuration)}; raise ${max}`);
  }
  const runtime = v.runtime ?? 'onnxruntime';
  const precision = v.precision;
  if (precision && runtime === 'onnxruntime') {
    throw new UserError(`--precision ${precision} is for a vendor runtime (--runtime tensorrt|openvino|tflite); for ONNX Runtime make an fp16 or int8 model with 'edgeml optimize'`);
  }
  if (v.toolPath && runtime === 'onnxruntime') throw new UserError('--tool-path is for a vendor runtime: add --runtime tensorrt, openvino or tflite');
  return {
    model,
    inputs: {
      shapes: pairs(v.input, parseShapeFlag, '--input', names),
      dims: pairs(v.dim, parseDimFlag, '--dim', names),
      data: pairs<DataSource>(v.data, parseDataFlag, '--data', names),
    },
    threads: v.threads,
    executionProvider: v.ep,
    optLevel: v.optLevel,
    scenario: v.scenario,
    ...(v.samplesPerQuery !== undefined ? { samplesPerQuery: v.samplesPerQuery } : {}),
    warmup: v.warmup,
    minIterations: v.minIterations,
    maxIterations: v.maxIterations,
    minDurationMs: v.minDuration,
    maxDurationMs: v.maxDuration,
    seed: v.seed,
    profile: !!v.profile,
    keepSamples: !!v.samples,
    ...(v.deviceLabel ? { deviceLabel: v.deviceLabel } : {}),
    ...(runtime !== 'onnxruntime' ? { runtime } : {}),
    ...(v.toolPath ? { toolPath: v.toolPath } : {}),
    ...(precision ? { precision } : {}),
  };
}
