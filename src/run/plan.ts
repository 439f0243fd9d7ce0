// edgeml.yml -> the flags each core step already understands (one name per setting: the config's
// `min-duration` is `--min-duration` is BenchFlags.minDuration). The one mapping of the config's
// settings, for `edgeml run` and for `edgeml bench|compare --config`. Paths in the config are
// relative to the config file; a path that does not exist is a UserError naming file:line:col and the key.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BENCH_FLAG_DEFAULTS, type BenchFlags } from '../bench/index.js';
import type { EdgemlConfig, ModelEntry, Position } from '../config/index.js';
import { COMPARE_FLAG_DEFAULTS, type CompareFlags } from '../compare/index.js';
import { UserError, type SettingNames } from '../errors.js';
import type { OptimizeFlags } from '../optimize/index.js';
import { DEFAULT_FLOOR } from '../tensors/index.js';

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

/** The datasets evaluated on model `name`: those naming it under `models:`, and those naming none. */
export function datasetsOf(config: EdgemlConfig, name: string): Array<[string, EdgemlConfig['datasets'][string]]> {
  return Object.entries(config.datasets).filter(([, d]) => !d.models || d.models.includes(name));
}

/** One setting of the file, by the flag it sets (min-duration for --min-duration). */
export interface FileSetting {
  value: string | string[];
  /** Its dotted key in the file (benchmark.min-duration) and where that is written. */
  key: string;
  at: Position;
}

/**
 * benchmark: keys that say how long one measurement lasts. Compare takes these from compare:
 * (short runs, many rounds: the rounds carry its statistics); the rest of benchmark: says what is
 * measured (threads, ep, opt-level, scenario, samples-per-query, warmup, seed) and applies to both.
 */
const LENGTH_KEYS = new Set(['min-iterations', 'max-iterations', 'min-duration', 'max-duration']);

/** The model of the config at this path (resolved), if any: its input, dim and data apply. */
export function modelAt(config: EdgemlConfig, path: string): { name: string; entry: ModelEntry } | undefined {
  const name = Object.keys(config.models).find((n) => fromConfig(config, config.models[n].path) === resolve(path));
  return name ? { name, entry: config.models[name] } : undefined;
}

/** The settings of edgeml.yml for one command (and one of its models), by the flag each sets. */
export function fileSettings(config: EdgemlConfig, command: 'bench' | 'compare', model?: { name: string; entry: ModelEntry }): Record<string, FileSetting> {
  const out: Record<string, FileSetting> = {};
  const take = (section: string, flag: string, value: string | string[]) => {
    const key = `${section}.${flag}`;
    out[flag] = { value, key, at: config.settingsAt[key] };
  };
  for (const [flag, v] of Object.entries(config.benchmark)) if (command === 'bench' || !LENGTH_KEYS.has(flag)) take('benchmark', flag, String(v));
  if (command === 'compare') for (const [flag, v] of Object.entries(config.compare)) take('compare', flag, String(v));
  if (model) {
    const { name, entry } = model;
    const section = `models.${name}`;
    if (entry.input) take(section, 'input', entry.input);
    if (entry.dim) take(section, 'dim', entry.dim);
    if (entry.data) take(section, 'data', pairsFromConfig(config, entry.data, config.settingsAt[`${section}.data`] ?? entry.at, `${section}.data`));
  }
  return out;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const inputName = (entry: string) => entry.slice(0, entry.indexOf('='));

/**
 * A command's flags with the file's settings under them: a flag typed on the command line
 * (`typed(property)`) wins over the file, the file over the command's defaults. --input, --dim and
 * --data win input by input: the file's entries for other inputs stay. `names` names each
 * setting in messages where its value came from.
 */
export function withFileSettings<T extends object>(flags: T, typed: (property: string) => boolean, file: Record<string, FileSetting>): { flags: T; names: SettingNames } {
  const out = { ...flags } as Record<string, unknown>;
  const from: Record<string, FileSetting> = {};
  for (const [flag, s] of Object.entries(file)) {
    const prop = camel(flag);
    if (!typed(prop)) {
      out[prop] = s.value;
      from[`--${flag}`] = s;
    } else if (Array.isArray(s.value)) {
      const given = out[prop] as string[];
      const names = new Set(given.map(inputName));
      out[prop] = [...s.value.filter((e) => !names.has(inputName(e))), ...given];
    }
  }
  return {
    flags: out as T,
    names: { key: (flag) => from[flag]?.key ?? flag, at: (flag) => (from[flag] ? `${where(from[flag].at)}: ` : '') },
  };
}

/** Flags with the names of their settings for messages. */
export interface Configured<T> {
  flags: T;
  names: SettingNames;
}

export interface ModelPlan {
  name: string;
  /** Absolute path of the source model. */
  path: string;
  entry: ModelEntry;
  bench: Configured<BenchFlags>;
  /** The comparison with the base. */
  compare: Configured<CompareFlags>;
  /** undefined when the config lists no targets. */
  optimize?: OptimizeFlags;
}

/** Every model of the config with its bench, compare and optimize flags; checks every file first. */
export function planModels(config: EdgemlConfig, opts: { deviceLabel?: string }): ModelPlan[] {
  const names = Object.keys(config.models);
  if (!names.length) throw new UserError(`${config.file}: no models; add one under models: (name: { path: model.onnx })`);
  for (const [name, d] of Object.entries(config.datasets)) {
    mustExist(fromConfig(config, d.inputs), d.at, `datasets.${name}.inputs`, 'file');
    if (d.labels) mustExist(fromConfig(config, d.labels), d.at, `datasets.${name}.labels`, 'file');
  }
  const label = opts.deviceLabel ? { deviceLabel: opts.deviceLabel } : {};
  const nothingTyped = () => false;
  return names.map((name) => {
    const entry = config.models[name];
    const path = fromConfig(config, entry.path);
    mustExist(path, entry.at, `models.${name}.path`, 'model');
    const bench = withFileSettings({ ...BENCH_FLAG_DEFAULTS, ...label }, nothingTyped, fileSettings(config, 'bench', { name, entry }));
    const compare = withFileSettings({ ...COMPARE_FLAG_DEFAULTS, ...label }, nothingTyped, fileSettings(config, 'compare', { name, entry }));
    const targets = entry.targets ?? config.targets;
    const calibration = pairsFromConfig(config, entry.calibration, entry.at, `models.${name}.calibration`);
    // The model's data feeds the inputs optimize does not calibrate (a sample rate, a state).
    const calibrated = new Set(calibration.map(inputName));
    const optimize: OptimizeFlags | undefined = targets.length
      ? {
          model: path,
          target: targets.join(','),
          calibration,
          data: pairsFromConfig(config, entry.data, entry.at, `models.${name}.data`).filter((d) => !calibrated.has(inputName(d))),
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
    return { name, path, entry, bench, compare, ...(optimize ? { optimize } : {}) };
  });
}
