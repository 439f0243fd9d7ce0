// edgeml.yml -> the flags each core step already understands (one name per setting: the config's
// `min-duration` is `--min-duration` is BenchFlags.minDuration). Paths in the config are relative
// to the config file; a path that does not exist is a UserError naming file:line:col and the key.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BENCH_DEFAULTS, type BenchFlags } from '../bench/index.js';
import type { EdgemlConfig, ModelEntry, Position } from '../config/index.js';
import { COMPARE_DEFAULTS } from '../compare/index.js';
import { UserError } from '../errors.js';
import { DEFAULT_FLOOR, type OptimizeFlags } from '../optimize/index.js';

const where = (p: Position) => `${p.file}:${p.line}:${p.col}`;

/** A config path made absolute (relative to the config file's folder). */
export function fromConfig(config: EdgemlConfig, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(config.file), path);
}

function mustExist(file: string, at: Position, key: string, what: string): void {
  if (!existsSync(file)) {
    throw new UserError(`${where(at)}: ${key}: ${file} does not exist; fix the path (relative to ${at.file}) or add the ${what}`);
  }
}

/** name=file.npy entries with the file resolved against the config; name=16000 kept as is. */
function pairsFromConfig(config: EdgemlConfig, entries: string[] | undefined, at: Position, key: string): string[] {
  return (entries ?? []).map((raw) => {
    const at0 = raw.indexOf('=');
    const [name, value] = [raw.slice(0, at0), raw.slice(at0 + 1)];
    if (!/\.npy$/i.test(value)) return raw;
    const file = fromConfig(config, value);
    mustExist(file, at, key, 'file');
    return `${name}=${file}`;
  });
}

export interface ModelPlan {
  name: string;
  /** Absolute path of the source model. */
  path: string;
  entry: ModelEntry;
  bench: BenchFlags;
  /** undefined when the config lists no targets. */
  optimize?: OptimizeFlags;
}

const str = (v: string | number | undefined, fallback: string | number) => String(v ?? fallback);

/** Every model of the config with its bench and optimize flags; checks every file first. */
export function planModels(config: EdgemlConfig, opts: { deviceLabel?: string }): ModelPlan[] {
  const names = Object.keys(config.models);
  if (!names.length) throw new UserError(`${config.file}: no models; add one under models: (name: { path: model.onnx })`);
  const b = config.benchmark;
  for (const [name, d] of Object.entries(config.datasets)) {
    mustExist(fromConfig(config, d.inputs), d.at, `datasets.${name}.inputs`, 'file');
    if (d.labels) mustExist(fromConfig(config, d.labels), d.at, `datasets.${name}.labels`, 'file');
  }
  return names.map((name) => {
    const entry = config.models[name];
    const path = fromConfig(config, entry.path);
    mustExist(path, entry.at, `models.${name}.path`, 'model');
    const bench: BenchFlags = {
      input: entry.input ?? [],
      dim: entry.dim ?? [],
      data: pairsFromConfig(config, entry.data, entry.at, `models.${name}.data`),
      threads: str(b.threads, BENCH_DEFAULTS.threads),
      ep: str(b.ep, BENCH_DEFAULTS.executionProvider),
      optLevel: str(b['opt-level'], BENCH_DEFAULTS.optLevel),
      scenario: str(b.scenario, BENCH_DEFAULTS.scenario),
      ...(b['samples-per-query'] !== undefined ? { samplesPerQuery: String(b['samples-per-query']) } : {}),
      warmup: str(b.warmup, BENCH_DEFAULTS.warmup),
      minIterations: str(b['min-iterations'], BENCH_DEFAULTS.minIterations),
      maxIterations: str(b['max-iterations'], BENCH_DEFAULTS.maxIterations),
      minDuration: str(b['min-duration'], `${BENCH_DEFAULTS.minDurationMs / 1000}s`),
      maxDuration: str(b['max-duration'], `${BENCH_DEFAULTS.maxDurationMs / 1000}s`),
      seed: str(b.seed, BENCH_DEFAULTS.seed),
      ...(opts.deviceLabel ? { deviceLabel: opts.deviceLabel } : {}),
    };
    const optimize: OptimizeFlags | undefined = config.targets.length
      ? {
          model: path,
          target: config.targets.join(','),
          calibration: pairsFromConfig(config, entry.calibration, entry.at, `models.${name}.calibration`),
          calibrationMethod: 'minmax',
          percentile: '99.999',
          maxSamples: '512',
          excludeOp: [],
          excludeNode: [],
          fp16BlockOp: [],
          minCosine: String(DEFAULT_FLOOR.cosine),
          minTop1Agreement: String(DEFAULT_FLOOR.top1Agreement),
          absTolerance: String(DEFAULT_FLOOR.absTolerance),
          input: entry.input ?? [],
          dim: entry.dim ?? [],
        }
      : undefined;
    return { name, path, entry, bench, ...(optimize ? { optimize } : {}) };
  });
}

/** compare: settings of edgeml.yml as the strings `edgeml compare` parses. */
export function compareSettings(config: EdgemlConfig): { threshold: string; metric: string; maxDuration: string; minDuration: string; minRounds: string; maxRounds: string } {
  const c = config.compare;
  return {
    threshold: str(c.threshold, `${COMPARE_DEFAULTS.threshold * 100}%`),
    metric: str(c.metric, COMPARE_DEFAULTS.metric),
    maxDuration: str(c['max-duration'], `${COMPARE_DEFAULTS.maxDurationMs / 1000}s`),
    minDuration: str(c['min-duration'], `${COMPARE_DEFAULTS.minDurationMs / 1000}s`),
    minRounds: str(c['min-rounds'], COMPARE_DEFAULTS.minRounds),
    maxRounds: str(c['max-rounds'], COMPARE_DEFAULTS.maxRounds),
  };
}
