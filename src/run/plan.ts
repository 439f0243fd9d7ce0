// edgeml.yml -> the typed settings of each core step (one name per setting: the config's
// `min-duration` is `--min-duration` is the table's `minDuration`), parsed once by the tables'
// parsers (parseSection). The one mapping of the config's settings, for `edgeml run` and for
// `edgeml bench|compare --config`. Paths in the config are relative to the config file; a path
// that does not exist, or a bad value, is a UserError naming file:line:col and the key.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BENCH_SETTINGS, benchOptions, type BenchOptions } from '../bench/index.js';
import type { EdgemlConfig, ModelEntry, Position } from '../config/index.js';
import { COMPARE_SETTINGS, compareOptions, type CompareSettings } from '../compare/index.js';
import { UserError, type SettingNames } from '../errors.js';
import { OPTIMIZE_SETTINGS, optimizeOptions, type OptimizeOptions } from '../optimize/index.js';
import { kebab, parseSection, settingDefaults, type RawValue } from '../settings/index.js';

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

/** The settings of edgeml.yml for one command, typed by the command's table, with where each is written. */
export interface FileValues {
  /** By the table's property (`minDuration`); only the keys the file writes. */
  values: Record<string, unknown>;
  /** By the flag each sets (`--min-duration`): its dotted key in the file and where that is written. */
  from: Record<string, { key: string; at: Position }>;
}

/** The settings of edgeml.yml for one command (and one of its models), parsed once by the command's table. */
export function fileValues(config: EdgemlConfig, command: 'bench' | 'compare', model?: { name: string; entry: ModelEntry }): FileValues {
  const from: FileValues['from'] = {};
  const at = (key: string) => (config.settingsAt[key] ? `${where(config.settingsAt[key])}: ` : '');
  const section = (name: string, keys: Record<string, RawValue>) => {
    for (const k of Object.keys(keys)) from[`--${k}`] = { key: `${name}.${k}`, at: config.settingsAt[`${name}.${k}`] };
    return keys;
  };
  const benchmark = Object.fromEntries(Object.entries(config.benchmark).filter(([k]) => command === 'bench' || !LENGTH_KEYS.has(k)));
  const values: Record<string, unknown> = command === 'bench'
    ? parseSection(BENCH_SETTINGS, 'benchmark', section('benchmark', benchmark), at)
    : { ...parseSection(COMPARE_SETTINGS, 'benchmark', section('benchmark', benchmark), at), ...parseSection(COMPARE_SETTINGS, 'compare', section('compare', config.compare), at) };
  if (model) {
    const { name, entry } = model;
    const key = `models.${name}`;
    const pairs = { input: entry.input, dim: entry.dim, data: entry.data && pairsFromConfig(config, entry.data, config.settingsAt[`${key}.data`] ?? entry.at, `${key}.data`) };
    for (const [prop, list] of Object.entries(pairs)) {
      if (!list) continue;
      values[prop] = list;
      from[`--${prop}`] = { key: `${key}.${prop}`, at: config.settingsAt[`${key}.${prop}`] ?? entry.at };
    }
  }
  return { values, from };
}

const inputName = (entry: string) => entry.slice(0, entry.indexOf('='));

/**
 * A command's typed settings with the file's under them: a flag typed on the command line
 * (`typed(property)`) wins over the file, the file over the command's defaults. --input, --dim and
 * --data win input by input: the file's entries for other inputs stay. `names` names each
 * setting in messages where its value came from.
 */
export function withFileValues<T extends object>(values: T, typed: (property: string) => boolean, file: FileValues): { values: T; names: SettingNames } {
  const out = { ...values } as Record<string, unknown>;
  const from: FileValues['from'] = {};
  for (const [prop, v] of Object.entries(file.values)) {
    const flag = `--${kebab(prop)}`;
    if (!typed(prop)) {
      out[prop] = v;
      from[flag] = file.from[flag];
    } else if (Array.isArray(v)) {
      const given = out[prop] as string[];
      const names = new Set(given.map(inputName));
      out[prop] = [...(v as string[]).filter((e) => !names.has(inputName(e))), ...given];
    }
  }
  return {
    values: out as T,
    names: { key: (flag) => from[flag]?.key ?? flag, at: (flag) => (from[flag]?.at ? `${where(from[flag].at)}: ` : '') },
  };
}

export interface ModelPlan {
  name: string;
  /** Absolute path of the source model. */
  path: string;
  entry: ModelEntry;
  /** The source model's benchmark; another file is measured with the same settings (`{ ...bench, model }`). */
  bench: BenchOptions;
  /** The comparison with the base. */
  compare: CompareSettings;
  /** input, dim and data as the config writes them (data files resolved): what inspect fixes. */
  inputs: { input: string[]; dim: string[]; data: string[] };
  /** The source model made into the config's targets under `out`; undefined when it lists none. */
  optimize?: OptimizeOptions;
}

const BENCH_VALUES = settingDefaults(BENCH_SETTINGS);
const COMPARE_VALUES = settingDefaults(COMPARE_SETTINGS);
const OPTIMIZE_VALUES = settingDefaults(OPTIMIZE_SETTINGS);

/**
 * Every model of the config with its bench, compare and optimize options, each parsed once from
 * the file (a bad value fails here, before any work); checks every file first.
 */
export function planModels(config: EdgemlConfig, opts: { deviceLabel?: string; out: string }): ModelPlan[] {
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
    const b = withFileValues({ ...BENCH_VALUES, ...label }, nothingTyped, fileValues(config, 'bench', { name, entry }));
    const c = withFileValues({ ...COMPARE_VALUES, ...label }, nothingTyped, fileValues(config, 'compare', { name, entry }));
    const targets = entry.targets ?? config.targets;
    const calibration = pairsFromConfig(config, entry.calibration, entry.at, `models.${name}.calibration`);
    // The model's data feeds the inputs optimize does not calibrate (a sample rate, a state).
    const calibrated = new Set(calibration.map(inputName));
    const optimize = targets.length
      ? optimizeOptions({
          // calibration-method, percentile, max-samples, the floors...: OPTIMIZE_SETTINGS' defaults.
          ...OPTIMIZE_VALUES,
          model: path,
          out: opts.out,
          target: targets,
          calibration,
          data: pairsFromConfig(config, entry.data, entry.at, `models.${name}.data`).filter((d) => !calibrated.has(inputName(d))),
          input: entry.input ?? [],
          dim: entry.dim ?? [],
        })
      : undefined;
    return {
      name, path, entry,
      bench: benchOptions(path, b.values, b.names),
      compare: compareOptions(c.values, c.names),
      inputs: { input: b.values.input, dim: b.values.dim, data: b.values.data },
      ...(optimize ? { optimize } : {}),
    };
  });
}
