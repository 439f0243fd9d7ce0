// edgeml.yml's benchmark:, compare: and a model's input, dim and data as the typed settings of
// bench and compare: the one mapping `edgeml run` and `edgeml bench|compare --config` share, parsed
// once by the commands' tables (no trip through flag text). Pure: no runtime, no process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_DEFAULTS, BENCH_SETTINGS, benchOptions } from '../src/bench/index.js';
import { COMPARE_DEFAULTS, COMPARE_SETTINGS, compareOptions } from '../src/compare/index.js';
import { loadConfig, parseConfig } from '../src/config/index.js';
import { INPUT_NAMES, UserError } from '../src/errors.js';
import { fileValues, modelAt, withFileValues } from '../src/run/index.js';
import { planModels } from '../src/run/plan.js';
import { asFlag, parseSettings, settingDefaults } from '../src/settings/index.js';
import { tempDir } from './helpers.js';

const BENCH = settingDefaults(BENCH_SETTINGS);
const COMPARE = settingDefaults(COMPARE_SETTINGS);
const none = () => false;

describe('edgeml.yml settings as the typed settings of bench and compare', () => {
  const config = parseConfig(
    [
      'models:',
      '  m:',
      '    path: m.onnx',
      '    input: [x=1x3, y=2x2]',
      'benchmark:',
      '  threads: 2',
      '  warmup: 4',
      '  scenario: offline',
      '  min-iterations: 700',
      '  min-duration: 20s',
      'compare:',
      '  threshold: 2%',
      '  min-duration: 500ms',
      '  min-iterations: 30',
    ].join('\n'),
    '/repo/edgeml.yml',
  );
  const model = modelAt(config, '/repo/m.onnx');

  it('finds the model of the config by its path, relative to the file', () => {
    expect(model?.name).toBe('m');
    expect(modelAt(config, '/elsewhere/m.onnx')).toBeUndefined();
  });

  it("types the file's values once, as its flags would be: numbers, milliseconds, fractions", () => {
    expect(fileValues(config, 'bench', model).values).toEqual({ threads: 2, warmup: 4, scenario: 'offline', minIterations: 700, minDuration: 20_000, input: ['x=1x3', 'y=2x2'] });
    expect(fileValues(config, 'compare').values).toEqual({ threads: 2, warmup: 4, scenario: 'offline', threshold: 0.02, minDuration: 500, minIterations: 30 });
  });

  it.each([
    // [command, option, value]: bench takes all of benchmark:; compare takes what is measured from
    // benchmark: and how long each measurement lasts from compare: (else its own defaults).
    ['bench', 'threads', 2],
    ['bench', 'warmup', 4],
    ['bench', 'scenario', 'offline'],
    ['bench', 'minIterations', 700],
    ['bench', 'minDurationMs', 20_000],
    ['bench', 'maxDurationMs', BENCH_DEFAULTS.maxDurationMs],
    ['compare', 'threads', 2],
    ['compare', 'warmup', 4],
    ['compare', 'scenario', 'offline'],
    ['compare', 'minIterations', 30],
    ['compare', 'minDurationMs', 500],
  ] as const)('%s: %s = %s', (command, option, value) => {
    if (command === 'bench') {
      const { values, names } = withFileValues(BENCH, none, fileValues(config, 'bench', model));
      expect(benchOptions('m.onnx', values, names)[option]).toEqual(value);
    } else {
      const { values, names } = withFileValues(COMPARE, none, fileValues(config, 'compare', model));
      expect(compareOptions(values, names).bench[option]).toEqual(value);
    }
  });

  it("judges a comparison by compare:, with compare's defaults for the rest; each measurement bounded by its own minimum", () => {
    const { values, names } = withFileValues(COMPARE, none, fileValues(config, 'compare', model));
    const c = compareOptions(values, names);
    expect(c).toMatchObject({ threshold: 0.02, metric: COMPARE_DEFAULTS.metric, maxDurationMs: COMPARE_DEFAULTS.maxDurationMs, minRounds: COMPARE_DEFAULTS.minRounds });
    // 500 ms each, so at most 5.5 s a measurement (3x, or +5 s), typed: no duration text made.
    expect(c.bench.maxDurationMs).toBe(5500);
  });

  it('lets typed flags win; --input wins input by input, the file keeps the others', () => {
    const typed = new Set(['threads', 'input']);
    const flags = parseSettings(BENCH_SETTINGS, { threads: '1', input: ['y=5x5'] }, asFlag);
    const { values, names } = withFileValues(flags, (p) => typed.has(p), fileValues(config, 'bench', model));
    expect(values).toMatchObject({ threads: 1, warmup: 4, input: ['x=1x3', 'y=5x5'] });
    expect(names.key('--threads')).toBe('--threads');
    expect(names.key('--warmup')).toBe('benchmark.warmup');
    expect(names.at('--warmup')).toBe('/repo/edgeml.yml:7:11: ');
    expect(names.key('--input')).toBe('--input');
  });

  it('names a setting from the file by its key at file:line:col, one typed by its flag', () => {
    const flags = parseSettings(COMPARE_SETTINGS, { maxDuration: '100ms' }, asFlag);
    const { values, names } = withFileValues(flags, (p) => p === 'maxDuration', fileValues(config, 'compare', model));
    expect(() => compareOptions(values, names)).toThrow('--max-duration 100ms is shorter than one measurement (compare.min-duration 500ms); raise --max-duration');
    const late = parseConfig('benchmark:\n  min-duration: 20s\n  max-duration: 2s\n', '/repo/late.yml');
    const bench = withFileValues(BENCH, none, fileValues(late, 'bench'));
    expect(() => benchOptions('m.onnx', bench.values, bench.names)).toThrow(
      /^\/repo\/late\.yml:3:17: benchmark\.max-duration 2s is shorter than benchmark\.min-duration 20s; raise benchmark\.max-duration$/,
    );
  });

  it('names an input given twice by its key in the file', () => {
    const twice = parseConfig('models:\n  m:\n    path: m.onnx\n    input: [x=1x3, x=1x4]\n', '/repo/twice.yml');
    const { values, names } = withFileValues(BENCH, none, fileValues(twice, 'bench', modelAt(twice, '/repo/m.onnx')));
    expect(() => benchOptions('m.onnx', values, names)).toThrow(/^\/repo\/twice\.yml:4:12: models\.m\.input x=\.\.\. is given twice; give each input once$/);
  });

  it('a threshold outside (0%, 100%) is refused naming the flag, the input or the key', () => {
    expect(() => compareOptions(parseSettings(COMPARE_SETTINGS, { threshold: '120%' }, asFlag))).toThrow(/^--threshold 120%: expected a percentage between 0% and 100%, such as 5%$/);
    expect(() => compareOptions(parseSettings(COMPARE_SETTINGS, { threshold: '0%' }, asFlag), INPUT_NAMES)).toThrow(/^input 'threshold' 0%: expected a percentage/);
    const file = parseConfig('compare:\n  threshold: 100%\n', '/repo/t.yml');
    const { values, names } = withFileValues(COMPARE, none, fileValues(file, 'compare'));
    expect(() => compareOptions(values, names)).toThrow(/^\/repo\/t\.yml:2:14: compare\.threshold 100%: expected a percentage between 0% and 100%/);
  });

  it('a vendor-only setting with ONNX Runtime is refused, typed or not', () => {
    expect(() => benchOptions('m.onnx', parseSettings(BENCH_SETTINGS, { precision: 'fp16' }, asFlag))).toThrow(/^--precision fp16 is for a vendor runtime/);
    expect(() => benchOptions('m.onnx', parseSettings(BENCH_SETTINGS, { toolPath: '/bin/trtexec' }, asFlag))).toThrow(UserError);
    expect(benchOptions('m.onnx', parseSettings(BENCH_SETTINGS, { runtime: 'tensorrt', precision: 'fp16' }, asFlag))).toMatchObject({ runtime: 'tensorrt', precision: 'fp16' });
  });
});

describe("edgeml run's plan: every model's options parsed once, before any work", () => {
  function project(yml: string): string {
    const dir = tempDir();
    writeFileSync(join(dir, 'm.onnx'), '');
    writeFileSync(join(dir, 'calib.npy'), '');
    const file = join(dir, 'edgeml.yml');
    writeFileSync(file, yml);
    return file;
  }

  it("holds typed options: bench's, compare's and optimize's, from the file and the tables' defaults", () => {
    const file = project('models:\n  m:\n    path: m.onnx\n    calibration: [x=calib.npy]\ntargets: [fp16, int8-static]\nbenchmark:\n  threads: 1\ncompare:\n  statistic: cpu\n');
    const [plan] = planModels(loadConfig(file), { out: 'out', deviceLabel: 'box' });
    expect(plan.bench).toMatchObject({ model: plan.path, threads: 1, minDurationMs: BENCH_DEFAULTS.minDurationMs, deviceLabel: 'box' });
    expect(plan.compare).toMatchObject({ metric: 'cpu', threshold: 0.05, minRounds: COMPARE_DEFAULTS.minRounds });
    expect(plan.compare.bench).toMatchObject({ threads: 1, minDurationMs: COMPARE_DEFAULTS.minDurationMs, deviceLabel: 'box' });
    expect(plan.optimize).toMatchObject({ model: plan.path, out: 'out', targets: ['fp16', 'int8-static'], maxSamples: 512 });
    expect(Object.keys(plan.optimize!.calibration)).toEqual(['x']);
  });

  it('fails on a bad value naming file:line:col and the key', () => {
    const file = project('models:\n  m:\n    path: m.onnx\nbenchmark:\n  min-duration: 5s\n  max-duration: 2s\n');
    expect(() => planModels(loadConfig(file), { out: 'out' })).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6:17: benchmark\\.max-duration 2s is shorter than benchmark\\.min-duration 5s; raise benchmark\\.max-duration$`),
    );
  });
});
