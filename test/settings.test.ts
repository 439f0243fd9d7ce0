// The settings tables (src/settings): one flag, input and key per setting, parsed alike whichever
// door it came in by; action.yml files generated from them; old names warn once and still work.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIONS, CONFIG_SECTIONS } from '../src/actions/tables.js';
import { BENCH_DEFAULTS, BENCH_SETTINGS, benchOptions, deviceLabel } from '../src/bench/index.js';
import { addSettings } from '../src/cli/settings.js';
import { COMPARE_DEFAULTS, COMPARE_SETTINGS, compareOptions } from '../src/compare/index.js';
import { parseConfig } from '../src/config/index.js';
import { UserError } from '../src/errors.js';
import { readInputs } from '../src/github/inputs.js';
import { DEFAULT_SETTINGS, OPTIMIZE_SETTINGS, optimizeOptionsFromFlags } from '../src/optimize/index.js';
import { DEFAULT_FLOOR } from '../src/tensors/index.js';
import { actionFile, inputDescription, renderActionYml } from '../src/settings/action-yml.js';
import { renderConfigSchema } from '../src/settings/config-schema.js';
import { asFlag, kebab, parseSection, parseSettings, settingDefaults, type RawValue, type Setting, type SettingsTable } from '../src/settings/index.js';
import { CA_SETTINGS } from '../src/devices/settings.js';
import { EVAL_SETTINGS } from '../src/eval/settings.js';
import { GATE_DEFAULTS, PROMOTE_SETTINGS, PUBLISH_SETTINGS } from '../src/fleet/index.js';
import { FLEET_STATUS_SETTINGS } from '../src/fleet-status/settings.js';
import { HISTORY_SETTINGS } from '../src/history/index.js';
import { REPORT_SETTINGS } from '../src/report/index.js';
import { RUN_SETTINGS } from '../src/run/settings.js';
import { ROOT, edgeml, edgemlAsync, runActionBundle, tempDir } from './helpers.js';

/** A value of each kind that is not its default, as a user types it. */
function sample(s: Setting): string {
  switch (s.kind) {
    case 'boolean': return 'true';
    case 'enum': return s.choices!.find((c) => c !== s.default)!;
    case 'duration': return '2500ms';
    case 'count': return String((s.min ?? 0) + 3);
    case 'number': return s.max === 1 ? '0.5' : s.max === 100 ? '99.5' : '7';
    case 'fraction': return '0.5';
    case 'percent': return '7%';
    case 'share': return s.whole ? '42' : '42.5';
    case 'list': return 'a,b';
    case 'pairs': return 'x=1';
    default: return 'some/thing';
  }
}

/** argv for one setting given as its flag. */
const argvOf = (name: string, s: Setting, value: string) => (s.kind === 'boolean' ? [`--${name}`] : [`--${name}`, value]);

/** The values commander gives for `argv` on a command made from `table`. */
function flagsOf(table: SettingsTable, argv: string[]): Record<string, RawValue> {
  let got: Record<string, RawValue> = {};
  const cmd = addSettings(new Command('t').exitOverride(), table).action((flags) => { got = flags; });
  cmd.parse(argv, { from: 'user' });
  return got;
}

const savedEnv = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

const TABLES: Array<[string, SettingsTable]> = [
  ['optimize', OPTIMIZE_SETTINGS], ['bench', BENCH_SETTINGS], ['history', HISTORY_SETTINGS], ['report', REPORT_SETTINGS], ['run', RUN_SETTINGS], ['promote', PROMOTE_SETTINGS], ['publish', PUBLISH_SETTINGS],
];

describe('one setting, one parse: a flag and its action input give the same typed value', () => {
  const rows = TABLES.flatMap(([command, table]) =>
    Object.entries(table).filter(([, s]) => s.flag !== false && s.input && !s.input.composite).map(([prop, s]) => [command, prop, table, s] as const));
  it('covers every flag that is also an input', () => expect(rows.length).toBeGreaterThan(30));
  it.each(rows)('%s %s', (_command, prop, table, s) => {
    const name = kebab(prop);
    const value = sample(s);
    const fromFlag = parseSettings(table, flagsOf(table, argvOf(name, s, value)), asFlag);
    process.env[`INPUT_${name.toUpperCase()}`] = value;
    const fromInput = readInputs(table);
    expect(fromInput[prop]).toEqual(fromFlag[prop]);
    // And it is not the default: the value given arrived.
    expect(fromFlag[prop]).not.toEqual(parseSettings(table, {}, asFlag)[prop]);
  });
});

describe("promote's shares", () => {
  it('parse once, with or without the % sign, in percent (0-100)', () => {
    expect(parseSettings(PROMOTE_SETTINGS, { successThreshold: '95%', errorThreshold: '2.5', rollout: '10%' }, asFlag)).toMatchObject({ successThreshold: 95, errorThreshold: 2.5, rollout: 10 });
    expect(parseSettings(PROMOTE_SETTINGS, { successThreshold: '90', rollout: '100' }, asFlag)).toMatchObject({ successThreshold: 90, rollout: 100 });
  });
});

describe('a bad value names where it came from', () => {
  const bad: Array<[SettingsTable, string, string, RegExp]> = [
    [OPTIMIZE_SETTINGS, 'minCosine', '2', /expected a number between 0 and 1/],
    [OPTIMIZE_SETTINGS, 'maxSamples', '0', /expected a number > 0/],
    [OPTIMIZE_SETTINGS, 'percentile', 'lots', /expected a number/],
    [BENCH_SETTINGS, 'minDuration', 'soon', /expected a duration/],
    [BENCH_SETTINGS, 'threads', '-1', /expected a whole number/],
    [BENCH_SETTINGS, 'samples', 'maybe', /expected true or false/],
    [COMPARE_SETTINGS, 'threshold', '5', /expected a percentage/],
    [HISTORY_SETTINGS, 'dashboard', 'maybe', /expected true or false/],
    [REPORT_SETTINGS, 'comment', 'sometimes', /expected true or false/],
    [PROMOTE_SETTINGS, 'minDevices', '0', /expected a whole number of at least 1/],
    [PROMOTE_SETTINGS, 'wait', 'soon', /expected a duration/],
    [PROMOTE_SETTINGS, 'gate', 'perhaps', /expected true or false/],
    [PROMOTE_SETTINGS, 'successThreshold', '101', /expected a percentage from 0 to 100, such as 90$/],
    [PROMOTE_SETTINGS, 'errorThreshold', 'few', /expected a percentage from 0 to 100, such as 90$/],
    [PROMOTE_SETTINGS, 'rollout', '10.5', /expected a whole percentage from 0 to 100, such as 10$/],
    [FLEET_STATUS_SETTINGS, 'silentAfter', 'later', /expected a duration/],
    [EVAL_SETTINGS, 'batchSize', '0', /expected a whole number of at least 1/],
    [CA_SETTINGS, 'days', 'ten', /expected a whole number of at least 1/],
  ];
  it.each(bad)('%#: flag, input', (table, prop, value, expected) => {
    const name = kebab(prop);
    expect(() => parseSettings(table, { [prop]: value }, asFlag)).toThrow(UserError);
    expect(() => parseSettings(table, { [prop]: value }, asFlag)).toThrow(new RegExp(`^--${name} "${value}": ${expected.source}`));
    if (!table[prop].input) return;
    process.env[`INPUT_${name.toUpperCase()}`] = value;
    expect(() => readInputs(table)).toThrow(new RegExp(`^input '${name}' "${value}": ${expected.source}`));
  });

  it('the CLI exits 2 with one line naming the flag; the action fails naming the input; nothing is written', () => {
    const r = edgeml(['optimize', '--model', 'm.onnx', '--target', 'fp16', '--out', 'never-made', '--min-cosine', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('edgeml: error: --min-cosine "2": expected a number between 0 and 1, e.g. 0.99');
    const a = runActionBundle('optimize', { model: 'm.onnx', target: 'fp16', out: 'never-made', 'max-samples': 'many' });
    expect(a.status).not.toBe(0);
    expect(a.stdout).toMatch(/::error::input 'max-samples' "many": expected a number > 0, e\.g\. 512/);
    // Settings checked together (typed, after the one parse) still name the inputs.
    const b = runActionBundle('benchmark', { model: 'm.onnx', 'min-duration': '5s', 'max-duration': '1s', upload: 'false' });
    expect(b.status).not.toBe(0);
    expect(b.stdout).toMatch(/::error::input 'max-duration' 1s is shorter than input 'min-duration' 5s; raise input 'max-duration'/);
    const c = edgeml(['bench', 'm.onnx', '--min-duration', '5s', '--max-duration', '1s']);
    expect(c.status).toBe(2);
    expect(c.stderr.trim()).toBe('edgeml: error: --max-duration 1s is shorter than --min-duration 5s; raise --max-duration');
  });

  it.each([
    [['eval', '--model', 'm.onnx', '--inputs', 'x.npy', '--batch-size', '0'], '--batch-size "0": expected a whole number of at least 1'],
    [['inspect', '--target', 'nnapi', '--json', 'x.json'], '--model is required: edgeml inspect --model model.onnx --target nnapi,tensorrt'],
    [['devices', 'ca', '--out', 'never-made', '--days', 'ten'], '--days "ten": expected a whole number of at least 1'],
    [['devices', 'provision', '--ca', 'ca', '--out', 'never-made', '--device', 'd1', '--days', '0'], '--days "0": expected a whole number of at least 1'],
    [['fleet', 'status', '--broker', 'mqtts://127.0.0.1:1', '--fleet', 'f', '--wait', 'soon', '--json', 'x.json'], '--wait "soon": expected a duration such as 10s, 500ms or 2m'],
    [['promote', '--repo', 'never-made', '--keys', 'k', '--version', '1.0.0', '--gate', '--min-devices', '0'], '--min-devices "0": expected a whole number of at least 1'],
    [['report', '--results', 'r.json', '--out', 'report.md', '--dashboard-url', 'http://x'], '--dashboard-url "http://x": expected an https URL such as https://acme.github.io/models/'],
    [['history', 'append', '--data-dir', 'never-made', '--results', 'r.json', '--commit', 'abc1234', '--budget', 'p90'], "--budget p90: expected METRIC=LIMIT in the chart's unit, e.g. latency.p90=5 (ms)"],
    [['run', '--base-ref', 'abc', '--base-model', 'base', '--out', 'never-made'], '--base-ref and --base-model both given; give one: a git commit or a folder'],
  ] as Array<[string[], string]>)('edgeml %s: one line naming the flag, exit 2, nothing written', async (args, message) => {
    const cwd = tempDir();
    const r = await edgemlAsync(args, {}, cwd);
    expect(r.stderr.trim()).toBe(`edgeml: error: ${message}`);
    expect(r.status).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('the promote and report actions fail naming the input', () => {
    const p = runActionBundle('promote', { version: '1.0.0', repo: 'never-made', 'keys-dir': 'k', 'min-devices': '0' });
    expect(p.status).not.toBe(0);
    expect(p.stdout).toMatch(/::error::input 'min-devices' "0": expected a whole number of at least 1/);
    const w = runActionBundle('promote', { version: '1.0.0', repo: 'never-made', 'keys-dir': 'k', wait: 'soon' });
    expect(w.stdout).toMatch(/::error::input 'wait' "soon": expected a duration/);
    const r = runActionBundle('report', { results: 'r.json', comment: 'sometimes' });
    expect(r.stdout).toMatch(/::error::input 'comment' "sometimes": expected true or false/);
    expect(r.summary).toBe('');
  });

  it('an edgeml.yml key is named with its file, line and key', () => {
    const config = parseConfig('models: { m: { path: m.onnx } }\ncompare:\n  threshold: 5%\n  min-rounds: 3\n', 'edgeml.yml');
    expect(() => compareOptions(parseSettings(COMPARE_SETTINGS, { threshold: '120%' }, asFlag))).toThrow(/^--threshold 120%/);
    expect(config.compare.threshold).toBe('5%');
    expect(() => parseConfig('compare:\n  statistic: p99\n', 'edgeml.yml')).toThrow(/^edgeml\.yml:2:14: .*statistic/);
  });
});

describe("edgeml.yml's settings parse to typed values without a trip through flag text", () => {
  it('benchmark: and compare: keys are typed as their flags are', () => {
    const config = parseConfig('models: { m: { path: m.onnx } }\nbenchmark:\n  threads: 2\n  min-duration: 2s\ncompare:\n  threshold: 10%\n  statistic: p90\n', 'edgeml.yml');
    const at = (key: string) => { const p = config.settingsAt[key]; return `${p.file}:${p.line}:${p.col}: `; };
    expect(parseSection(BENCH_SETTINGS, 'benchmark', config.benchmark, at)).toEqual({ threads: 2, minDuration: 2000 });
    expect(parseSection(COMPARE_SETTINGS, 'compare', config.compare, at)).toEqual({ threshold: 0.1, statistic: 'p90' });
  });
  it('a bad value or a key of another section names the file, line and key', () => {
    // (parseConfig's schema stops most bad values first; a value it lets through is named alike.)
    const at = () => 'edgeml.yml:3:14: ';
    expect(() => parseSection(COMPARE_SETTINGS, 'compare', { threshold: '10' }, at)).toThrow(/^edgeml\.yml:3:14: compare\.threshold "10": expected a percentage such as 5%$/);
    expect(() => parseSection(BENCH_SETTINGS, 'benchmark', { 'max-duration': 'soon' }, at)).toThrow(/^edgeml\.yml:3:14: benchmark\.max-duration "soon": expected a duration/);
    expect(() => parseSection(COMPARE_SETTINGS, 'compare', { warmup: 3 })).toThrow(/^compare\.warmup: not a setting of compare:/);
  });
});

describe('defaults are written once, in the tables', () => {
  it('optimize: the flags, the action inputs, the typed defaults and the fidelity floor agree', () => {
    const opts = optimizeOptionsFromFlags({ model: 'm.onnx', target: 'fp16', out: 'o' });
    expect(opts.settings).toMatchObject({ calibrationMethod: 'minmax', percentile: 99.999 });
    expect(opts.maxSamples).toBe(512);
    expect(opts.floor).toEqual({ cosine: 0.99, top1Agreement: 0.95, absTolerance: 0.0001 });
    expect(DEFAULT_FLOOR).toEqual(opts.floor);
    expect(DEFAULT_SETTINGS.calibrationMethod).toBe(OPTIMIZE_SETTINGS.calibrationMethod.default);
    const yml = parse(readFileSync(join(ROOT, 'actions/optimize/action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
    for (const prop of ['calibrationMethod', 'percentile', 'maxSamples', 'minCosine', 'minTop1Agreement', 'absTolerance'] as const) {
      expect(yml.inputs[kebab(prop)].default).toBe(OPTIMIZE_SETTINGS[prop].default);
    }
  });
  it("bench and compare: the flags' defaults, the typed defaults and the options with nothing given agree", () => {
    // commander's defaults are the table's text; parsed once, they are the table's typed defaults.
    for (const table of [BENCH_SETTINGS, COMPARE_SETTINGS] as SettingsTable[]) {
      expect(parseSettings(table, flagsOf(table, []), asFlag)).toEqual(settingDefaults(table));
    }
    expect(settingDefaults(BENCH_SETTINGS)).toMatchObject({ threads: 0, warmup: 10, minIterations: 100, minDuration: 10_000, maxDuration: 60_000, seed: 1 });
    expect(settingDefaults(COMPARE_SETTINGS)).toMatchObject({ minIterations: 50, minDuration: 1000, threshold: 0.05, statistic: 'p50', minRounds: 8, design: 'auto' });
    const { model: _m, inputs: _i, ...bench } = benchOptions('m.onnx', settingDefaults(BENCH_SETTINGS));
    expect(bench).toEqual(BENCH_DEFAULTS);
    expect(compareOptions(settingDefaults(COMPARE_SETTINGS))).toMatchObject({
      threshold: COMPARE_DEFAULTS.threshold, metric: COMPARE_DEFAULTS.metric, maxDurationMs: COMPARE_DEFAULTS.maxDurationMs, minRounds: COMPARE_DEFAULTS.minRounds,
      bench: { minDurationMs: COMPARE_DEFAULTS.minDurationMs, minIterations: COMPARE_DEFAULTS.minIterations },
    });
  });
  it("edgeml.yml's benchmark: and compare: keys are the tables' config keys, no more, no fewer", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/config.schema.json'), 'utf8'));
    const keys = (table: SettingsTable, section: string) => Object.entries(table).filter(([, s]) => s.config === section).map(([p]) => kebab(p)).sort();
    expect(Object.keys(schema.properties.benchmark.properties).sort()).toEqual(keys(BENCH_SETTINGS, 'benchmark'));
    const compareKeys = Object.keys(schema.properties.compare.properties).filter((k) => !schema.properties.compare.properties[k].deprecated && k !== 'artifacts');
    expect(compareKeys.sort()).toEqual(keys(COMPARE_SETTINGS, 'compare'));
  });
});

describe("the device label's help states deviceLabel's fallback", () => {
  it('bench, compare and run: EDGEML_DEVICE_LABEL, then the runner name, then os-arch, as deviceLabel takes them', () => {
    const env = { EDGEML_DEVICE_LABEL: process.env.EDGEML_DEVICE_LABEL, RUNNER_NAME: process.env.RUNNER_NAME };
    try {
      process.env.EDGEML_DEVICE_LABEL = 'from-env';
      process.env.RUNNER_NAME = 'runner-1';
      expect(deviceLabel()).toBe('from-env');
      delete process.env.EDGEML_DEVICE_LABEL;
      expect(deviceLabel()).toBe('runner-1');
      delete process.env.RUNNER_NAME;
      expect(deviceLabel()).toBe(`${process.platform}-${process.arch}`);
    } finally {
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    for (const table of [BENCH_SETTINGS, COMPARE_SETTINGS, RUN_SETTINGS] as SettingsTable[]) {
      expect(table.deviceLabel.help).toMatch(/EDGEML_DEVICE_LABEL, else the runner name in a workflow, else os-arch/);
      if (table.deviceLabel.input) expect(inputDescription(table.deviceLabel)).toMatch(/\(default: EDGEML_DEVICE_LABEL, else the runner name\)/);
    }
  });
});

describe("edgeml.yml's schema states the defaults the tables and the gate use", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/config.schema.json'), 'utf8'));
  /** The `(default X)` of a description (X up to a colon, semicolon or the parenthesis). */
  const stated = (d: { description?: string }) => /\(default ([^):;]+)[^)]*\)/.exec(d.description ?? '')?.[1];
  it.each(Object.entries(COMPARE_SETTINGS as SettingsTable).filter(([, s]) => s.config === 'compare' && s.default !== undefined))('compare.%s', (prop, s) => {
    expect(stated(schema.properties.compare.properties[kebab(prop)])).toBe(s.default);
  });
  it('benchmark: states no default of its own (edgeml bench --help and docs/reference.md give them from the table)', () => {
    for (const d of Object.values(schema.properties.benchmark.properties) as Array<{ description?: string }>) expect(stated(d)).toBeUndefined();
  });
  it("rollout: and each stage: the gate's defaults", () => {
    const rollout = schema.properties.rollout.properties;
    const stage = rollout.stages.items.properties;
    for (const keys of [rollout, stage]) {
      expect(stated(keys['min-devices'])).toBe(String(GATE_DEFAULTS.minDevices));
      expect(stated(keys['success-threshold'])).toBe(`${GATE_DEFAULTS.successThreshold}%`);
      expect(stated(keys['error-threshold'])).toBe(`${GATE_DEFAULTS.errorThreshold}%`);
      expect(stated(keys.soak)).toBe(`${GATE_DEFAULTS.soakMs / 1000}s`);
    }
    expect(stated(rollout['auto-rollback'])).toBe('false');
  });
  it('finds a default that differs (the check can fail)', () => {
    expect(stated({ description: 'Smallest change that counts (default 10%).' })).not.toBe(COMPARE_SETTINGS.threshold.default);
  });
});

describe("edgeml.yml's schema: the table-backed keys and the stated defaults are generated (npm run settings)", () => {
  const file = join(ROOT, 'schemas/config.schema.json');
  const text = readFileSync(file, 'utf8');
  it('the committed schema is what the tables make', () => {
    expect(renderConfigSchema(text, CONFIG_SECTIONS)).toBe(text);
  });

  it('a hand edit of a generated part is found and undone, the rest of the file kept line for line', () => {
    for (const edit of [
      text.replace('Smallest change that counts (default 5%).', 'Smallest change that counts (default 10%).'),
      text.replace('"min-rounds": { "type": "integer", "minimum": 2,', '"min-rounds": { "type": "integer", "minimum": 1,'),
      text.replace('"threads": { "type": "integer", "minimum": 0 },', '"threads": { "type": "integer", "minimum": 0 },\n        "bogus": { "type": "string" },'),
      text.replace('        "seed": { "type": "integer", "minimum": 0 }\n', '').replace('"max-duration": { "$ref": "#/$defs/duration" },', '"max-duration": { "$ref": "#/$defs/duration" }'),
      text.replace('"ep": { "type": "string" },', '"ep": { "type": "string", "description": "Execution provider (default cpu)." },'),
      text.replace(/ {8}"metric": .*\n/, ''),
      text.replaceAll('(default 10).', '(default 12).'),
    ]) {
      expect(edit).not.toBe(text);
      expect(renderConfigSchema(edit, CONFIG_SECTIONS)).toBe(text);
    }
  });

  it('a new config key of a table gets its line with its type and default; the schema stays valid JSON', () => {
    const table: SettingsTable = { ...COMPARE_SETTINGS, maxRounds: { ...COMPARE_SETTINGS.maxRounds, default: '40' }, patience: { kind: 'duration', default: '2s', help: 'wait this long between rounds', config: 'compare' } };
    const made = renderConfigSchema(text, CONFIG_SECTIONS.map((s) => (s.section === 'compare' ? { ...s, table } : s)));
    const compare = JSON.parse(made).properties.compare.properties;
    expect(compare.patience).toEqual({ $ref: '#/$defs/duration', description: 'Wait this long between rounds (default 2s).' });
    expect(compare['max-rounds'].description).toBe('Rounds at most; 0: until max-duration (default 40).');
    // Only those two lines differ.
    const diff = made.split('\n').filter((l) => !text.split('\n').includes(l));
    expect(diff).toHaveLength(2);
  });

  it('a setting kind the schema has no type for is named', () => {
    const table: SettingsTable = { ...BENCH_SETTINGS, odd: { kind: 'pairs', help: 'x', config: 'benchmark' } };
    expect(() => renderConfigSchema(text, [{ ...CONFIG_SECTIONS[0], table }])).toThrow(/^config key odd: no schema type for a 'pairs' setting/);
  });
});

describe('action.yml files are generated from the tables', () => {
  it.each(ACTIONS.map((a) => [actionFile(a.name), a] as const))('%s is what its table makes (npm run settings)', (file, spec) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(renderActionYml(text, spec)).toBe(text);
  });

  it('a hand edit of a generated part is found and undone', () => {
    const spec = ACTIONS.find((a) => a.name === 'optimize')!;
    const text = readFileSync(join(ROOT, 'actions/optimize/action.yml'), 'utf8');
    for (const edit of [
      text.replace("default: '0.99'", "default: '0.9'"),
      text.replace('        INPUT_MIN-COSINE: ${{ inputs.min-cosine }}\n', ''),
      text.replace('--no-audit --no-fund "onnxruntime-node@$VERSION"', '"onnxruntime-node@$VERSION"'),
    ]) {
      expect(edit).not.toBe(text);
      expect(renderActionYml(edit, spec)).toBe(text);
    }
  });

  it('the composite actions share the runtime steps written once', () => {
    const steps = (name: string) => (parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as { runs: { steps: Array<Record<string, unknown>> } }).runs.steps.slice(0, 3).map(({ if: _if, ...s }) => s);
    expect(steps('optimize')).toEqual(steps('benchmark'));
    const root = (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs: { steps: Array<Record<string, unknown>> } }).runs.steps.slice(0, 3).map(({ if: _if, ...s }) => s);
    expect(JSON.stringify(root).replaceAll('$GITHUB_ACTION_PATH/scripts', '$GITHUB_ACTION_PATH/../../scripts')).toBe(JSON.stringify(steps('optimize')));
  });
});

describe('renamed settings keep their old name for one minor release', () => {
  function withStdout<T>(fn: () => T): { value: T; stdout: string } {
    const write = process.stdout.write.bind(process.stdout);
    let stdout = '';
    process.stdout.write = ((chunk: string) => { stdout += chunk; return true; }) as typeof process.stdout.write;
    try {
      return { value: fn(), stdout };
    } finally {
      process.stdout.write = write;
    }
  }

  function withStderr<T>(fn: () => T): { value: T; stderr: string } {
    const write = process.stderr.write.bind(process.stderr);
    let stderr = '';
    process.stderr.write = ((chunk: string) => { stderr += chunk; return true; }) as typeof process.stderr.write;
    try {
      return { value: fn(), stderr };
    } finally {
      process.stderr.write = write;
    }
  }

  it('compare --metric sets --statistic and warns once', () => {
    const first = withStderr(() => flagsOf(COMPARE_SETTINGS, ['--metric', 'cpu']));
    expect(first.value.statistic).toBe('cpu');
    expect(first.stderr).toBe('edgeml: warning: --metric is deprecated and goes in 0.3.0; use --statistic\n');
    const again = withStderr(() => flagsOf(COMPARE_SETTINGS, ['--metric', 'p90']));
    expect(again.value.statistic).toBe('p90');
    expect(again.stderr).toBe('');
    // The new name wins when both are typed.
    expect(withStderr(() => flagsOf(COMPARE_SETTINGS, ['--statistic', 'p90', '--metric', 'cpu'])).value.statistic).toBe('p90');
    expect(flagsOf(COMPARE_SETTINGS, []).statistic).toBe('p50');
  });

  it('history: --data is --data-dir (a flag only); the inputs verdicts and budgets are verdict and budget (inputs only)', () => {
    const first = withStderr(() => flagsOf(HISTORY_SETTINGS, ['--data', 'hist', '--results', 'r.json']));
    expect(first.value.dataDir).toBe('hist');
    expect(first.stderr).toBe('edgeml: warning: --data is deprecated and goes in 0.3.0; use --data-dir\n');
    expect(() => flagsOf(HISTORY_SETTINGS, ['--verdicts', 'm=slower'])).toThrow(/unknown option '--verdicts'/);
    const out = withStdout(() => {
      process.env.INPUT_VERDICTS = 'm=slower';
      process.env.INPUT_BUDGETS = 'latency.p90=5';
      process.env.INPUT_BUDGET = '';
      return readInputs(HISTORY_SETTINGS);
    });
    expect(out.value).toMatchObject({ verdict: ['m=slower'], budget: ['latency.p90=5'] });
    expect(out.stdout.split('\n').filter(Boolean)).toEqual([
      "::warning::input 'verdicts' is deprecated and goes in 0.3.0; use input 'verdict'",
      "::warning::input 'budgets' is deprecated and goes in 0.3.0; use input 'budget'",
    ]);
    // The new name wins when both are given.
    process.env.INPUT_BUDGET = 'memory.peak=200';
    expect(withStdout(() => readInputs(HISTORY_SETTINGS)).value.budget).toEqual(['memory.peak=200']);
    // The action declares the old names (no default, so only a workflow that gives one sets it) for the runner's own warning.
    const yml = parse(readFileSync(join(ROOT, 'actions/history/action.yml'), 'utf8')) as { inputs: Record<string, { default?: string; deprecationMessage?: string }> };
    expect(yml.inputs.verdicts).toEqual({ description: 'Deprecated (goes in 0.3.0): the old name of verdict.', required: false, deprecationMessage: 'use verdict; verdicts goes in 0.3.0' });
    expect(yml.inputs.data).toBeUndefined();
  });

  it("edgeml.yml's compare.metric is compare.statistic, with a warning naming the line", () => {
    const r = withStderr(() => parseConfig('models: { m: { path: m.onnx } }\ncompare:\n  metric: cpu\n', 'old.yml'));
    expect(r.value.compare).toEqual({ statistic: 'cpu' });
    expect(r.value.settingsAt['compare.statistic']).toMatchObject({ line: 3 });
    expect(r.stderr).toBe('old.yml:3:11: warning: compare.metric is deprecated and goes in 0.3.0; use compare.statistic\n');
  });

  it("every old name of a config key in the tables still works in edgeml.yml (config/parse.ts's RENAMED follows the tables)", () => {
    const renamed = ([['benchmark', BENCH_SETTINGS], ['compare', COMPARE_SETTINGS]] as Array<[string, SettingsTable]>).flatMap(([section, table]) =>
      Object.entries(table).filter(([, s]) => s.config === section).flatMap(([prop, s]) => (s.deprecated ?? []).filter((d) => d.only !== 'flag').map((d) => [section, d.name, kebab(prop), s] as const)));
    expect(renamed.length).toBeGreaterThan(0);
    for (const [section, old, now, s] of renamed) {
      const value = sample(s);
      const r = withStderr(() => parseConfig(`models: { m: { path: m.onnx } }\n${section}:\n  ${old}: ${value}\n`, 'renamed.yml'));
      expect((r.value as unknown as Record<string, Record<string, unknown>>)[section]).toEqual({ [now]: value });
      expect(r.stderr).toMatch(new RegExp(`${section}\\.${old} is deprecated .*; use ${section}\\.${now}`));
    }
  });

  it('the CLI still runs with --metric (a stored base: the warning, then the input error, exit 2)', () => {
    const r = edgeml(['compare', '--head', 'h.onnx', '--base-results', 'missing.json', '--metric', 'p90']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.includes('deprecated'))).toEqual(['edgeml: warning: --metric is deprecated and goes in 0.3.0; use --statistic']);
  });
});
