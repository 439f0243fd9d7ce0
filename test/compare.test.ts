// `edgeml compare` as users run it: interleaved rounds, a verdict, a valid document; and every bad
// input ends with exit 2, one line, and nothing written.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCompare } from '../src/compare/index.js';
import { standbyFits } from '../src/compare/paired.js';
import { startPairedWorker, type PairedBatch, type PairedRequest } from '../src/bench/index.js';
import { MODELS, edgeml, edgemlAsync, expectRefused, tempDir } from './helpers.js';

/** Short measurements: tests check behaviour, never speed. */
const FAST = ['--warmup', '1', '--min-iterations', '5', '--min-duration', '0', '--threads', '1'];

describe('edgeml compare', () => {
  const dir = tempDir();

  it('finds a 10x slower head slower, from alternating processes, and exits 1', () => {
    const out = join(dir, 'slower.json');
    const r = edgeml(['compare', '--base', MODELS.conv1, '--head', MODELS.conv10, ...FAST, '--design', 'processes', '--min-rounds', '7', '--max-duration', '60s', '--json', out]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^\*\*slower\*\* · p50 head\/base [\d.]+ \(\+\d+\.\d%\), 95% interval [\d.]+ – [\d.]+, threshold ±5%/);
    const doc = readCompare(out);
    expect(doc.verdict).toBe('slower');
    expect(doc.ratio.p50.estimate).toBeGreaterThan(3);
    expect(doc.ratio.p50.ci95![0]).toBeGreaterThan(1.05);
    // The looks were planned from the first round; it decided at the first, on rounds no earlier look had.
    expect(doc.plan.looks[0]).toBeGreaterThanOrEqual(7);
    expect(doc.rounds).toBe(doc.plan.looks[0]);
    expect(doc.looks).toBe(1);
    expect(doc.plan.levelPerLook).toBeCloseTo(1 - 0.05 / doc.plan.looks.length, 12);
    expect(doc.threshold).toBe(0.05);
    expect(doc.mode).toBe('interleaved');
    expect(doc.design).toEqual({ used: 'processes', reason: '--design processes' });
    expect(doc.intervalWidth).toBeCloseTo(doc.ratio.p50.ci95![1] - doc.ratio.p50.ci95![0], 12);
    expect(r.stdout).toMatch(/design: separate processes, \d+ rounds \(--design processes\) · interval width [\d.]+%/);
    // ABBA: the first arm alternates every round.
    expect(doc.measurements.map((m) => m.first)).toEqual(Array.from({ length: doc.rounds }, (_, i) => (i % 2 ? 'head' : 'base')));
    // CPU time per query is measured in every process too.
    expect(doc.measurements.every((m) => m.base!.cpu! > 0 && m.head.cpu! > 0)).toBe(true);
    expect(doc.exact.find((x) => x.quantity === 'sha256')!.same).toBe(false);
    expect(doc.exact.find((x) => x.quantity === 'inputs')!.same).toBe(true);
  });

  it('calls identical files (same sha256, other paths) unchanged without measuring', () => {
    const out = join(dir, 'aa.json');
    const copy = join(dir, 'conv-1-copy.onnx');
    copyFileSync(MODELS.conv1, copy);
    const t0 = Date.now();
    const r = edgeml(['compare', '--base', MODELS.conv1, '--head', copy, ...FAST, '--max-duration', '60s', '--threshold', '10%', '--json', out]);
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    const doc = readCompare(out);
    expect(doc.verdict).toBe('unchanged');
    expect(doc.design.used).toBe('same-file');
    expect(doc.stopped).toBe('same-file');
    expect(doc.rounds).toBe(0);
    expect(doc.measurements).toEqual([]);
    expect(doc.ratio.p50).toEqual({ estimate: 1, ci95: [1, 1], lookLevel: 1, verdict: 'unchanged' });
    expect(doc.threshold).toBe(0.1);
    expect(doc.exact.filter((x) => x.quantity !== 'inputs').every((x) => x.same)).toBe(true);
    expect(r.stdout).toMatch(/^\*\*unchanged \(same file\)\*\*/);
    expect(r.stdout).toContain('base and head are the same file: not measured');
  });

  it('pairs base and head in one process by default: batches in random order, processes alternating which loads first', () => {
    const out = join(dir, 'paired.json');
    const r = edgeml(['compare', '--base', MODELS.conv1, '--head', MODELS.conv10, ...FAST, '--statistic', 'cpu', '--max-duration', '40s', '--json', out]);
    expect(r.stderr).toContain('design: paired (--design auto: both fit in memory');
    expect(r.status).toBe(1);
    const doc = readCompare(out);
    expect(doc.design.used).toBe('paired');
    expect(doc.design.pairs).toBeGreaterThan(doc.rounds);
    expect(doc.design.queriesPerBatch).toBeGreaterThanOrEqual(1);
    // Small models: each next process loaded and warmed up while the one before it measured.
    expect(doc.design.standby).toBe(true);
    expect(doc.method.interval).toMatch(/over processes/);
    expect(doc.verdict).toBe('slower');
    expect(doc.ratio.cpu!.estimate).toBeGreaterThan(3);
    expect(doc.measurements.map((m) => m.first)).toEqual(Array.from({ length: doc.rounds }, (_, i) => (i % 2 ? 'head' : 'base')));
    expect(doc.exact.find((x) => x.quantity === 'inputs')!.same).toBe(true);
    expect(r.stdout).toMatch(/design: paired, \d+ paired batches of \d+ queries in \d+ processes/);
    expect(r.stdout).toContain('CPU time per query (decides)');
  });

  it('falls back to separate processes when base and head take different inputs, and says why', () => {
    const out = join(dir, 'unpairable.json');
    const r = edgeml(['compare', '--base', MODELS.conv1, '--head', MODELS.digits, ...FAST, '--max-rounds', '6', '--min-rounds', '6', '--max-duration', '60s', '--json', out]);
    expect([0, 1]).toContain(r.status);
    const doc = readCompare(out);
    expect(doc.design.used).toBe('processes');
    expect(doc.design.reason).toMatch(/^not paired: base and head take different inputs \(base x:float32\[1x32x32x32\], head pixels:float32\[1x64\]\)/);
    expect(doc.rounds).toBe(6);
    expect(doc.stopped === 'decided' || doc.stopped === 'max-rounds').toBe(true);
  });

  it('warns before measuring when --max-duration cannot reach --min-rounds, and ends with the reason for no interval', () => {
    const out = join(dir, 'short.json');
    const r = edgeml(['compare', '--base', MODELS.conv1, '--head', MODELS.conv10, '--warmup', '1', '--min-iterations', '5', '--threads', '1', '--design', 'processes', '--min-duration', '500ms', '--max-duration', '2s', '--json', out]);
    expect(r.stderr).toMatch(/warning: --max-duration 2s holds about 2 rounds \(each round takes at least 2 x --min-duration 0.5s\), fewer than the 8 needed/);
    expect(r.status).toBe(0);
    const doc = readCompare(out);
    expect(doc.verdict).toBe('inconclusive');
    expect(doc.intervalWidth).toBeNull();
    expect(doc.noInterval).toMatch(/^\d rounds are too few for an interval at the 95.00% level of each of 1 looks \(at least 6 needed\); raise --max-duration$/);
    expect(doc.plan.warnings.length).toBeGreaterThanOrEqual(1);
    expect(doc.looks).toBeLessThanOrEqual(1);
  });

  it('compares against a stored results document from this device', () => {
    const base = join(dir, 'base.json');
    expect(edgeml(['bench', MODELS.conv1, ...FAST, '--json', base]).status).toBe(0);
    const out = join(dir, 'stored.json');
    const r = edgeml(['compare', '--base-results', base, '--head', MODELS.conv10, ...FAST, '--min-rounds', '4', '--max-rounds', '4', '--json', out]);
    expect([0, 1]).toContain(r.status);
    const doc = readCompare(out);
    expect(doc.mode).toBe('stored-base');
    expect(doc.measurements.every((m) => m.base === null)).toBe(true);
    expect(doc.differentDevice).toBeUndefined();
    expect(doc.ratio.p50.estimate).toBeGreaterThan(2);
  });

  it('accepts a stored base from another device only when told, and says so', () => {
    const base = join(dir, 'base.json');
    const other = join(dir, 'other-device.json');
    const doc = JSON.parse(readFileSync(base, 'utf8'));
    doc.device.fingerprint = '0123456789abcdef';
    doc.device.label = 'jetson-orin';
    writeFileSync(other, JSON.stringify(doc));
    const out = join(dir, 'allowed.json');
    const r = edgeml(['compare', '--base-results', other, '--head', MODELS.conv1, ...FAST, '--min-rounds', '3', '--max-rounds', '3', '--allow-different-device', '--json', out]);
    expect([0, 1]).toContain(r.status);
    expect(r.stdout).toContain('base measured elsewhere (allowed by --allow-different-device): jetson-orin');
    expect(readCompare(out).differentDevice?.base).toContain('jetson-orin');
  });
});

describe('edgeml compare on bad input: exit 2, one line, nothing written', () => {
  const dir = tempDir();
  const existing = join(dir, 'existing.json');
  const notResults = join(dir, 'not-results.json');
  writeFileSync(notResults, '{"schema": {"name": "edgeml-results", "version": 1}, "kind": "bench"}');
  const notJson = join(dir, 'broken.json');
  writeFileSync(notJson, '{"schema": ');

  const cases: Array<[string, string[], RegExp, (() => void)?]> = [
    ['no head', ['--base', MODELS.conv1], /no head given: edgeml compare --base A\.onnx --head B\.onnx$/],
    ['no base', ['--head', MODELS.conv1], /no base given: edgeml compare --base A\.onnx --head B\.onnx \(or --base-results results\.json\)$/],
    ['both bases', ['--base', MODELS.conv1, '--base-results', notResults, '--head', MODELS.conv1], /--base and --base-results both given; give one/],
    ['missing head model', ['--base', MODELS.conv1, '--head', join(dir, 'nope.onnx')], /nope\.onnx: no such model file; check the path given to --model$/],
    ['threshold without %', ['--base', MODELS.conv1, '--head', MODELS.conv1, '--threshold', '5'], /--threshold "5": expected a percentage such as 5%$/],
    ['threshold of 100%', ['--base', MODELS.conv1, '--head', MODELS.conv1, '--threshold', '100%'], /--threshold 100%: expected a percentage between 0% and 100%, such as 5%$/],
    ['bad max duration', ['--base', MODELS.conv1, '--head', MODELS.conv1, '--max-duration', 'a while'], /--max-duration "a while": expected a duration such as 10s, 500ms or 2m$/],
    ['unknown metric', ['--base', MODELS.conv1, '--head', MODELS.conv1, '--metric', 'p99'], /argument 'p99' is invalid\. Allowed choices are p50, p90/],
    ['unknown statistic', ['--base', MODELS.conv1, '--head', MODELS.conv1, '--statistic', 'p99'], /argument 'p99' is invalid\. Allowed choices are p50, p90/],
    ['missing results file', ['--base-results', join(dir, 'gone.json'), '--head', MODELS.conv1], /gone\.json: no such results file; give the file written by 'edgeml bench --json'$/],
    ['results file not JSON', ['--base-results', notJson, '--head', MODELS.conv1], /broken\.json: not JSON \(.+\); give the file written by 'edgeml bench --json'$/],
    ['results doc failing its schema', ['--base-results', notResults, '--head', MODELS.conv1], /not-results\.json: not an edgeml results document \(\/ must have required property '\w+'\); regenerate it with 'edgeml bench --json'$/],
    ['results from another device', ['--base-results', join(dir, 'other.json'), '--head', MODELS.conv1], /other\.json: measured on a different device, jetson-orin \(.+fingerprint 0123456789abcdef\), not this .+; measure both here \(edgeml compare --base A\.onnx --head B\.onnx\) or pass --allow-different-device$/],
    ['results with other threads', ['--base-results', join(dir, 'other.json'), '--head', MODELS.conv1, '--threads', '2'], /other\.json: measured with --threads 1, this run uses 2; give --threads 1 so the two are comparable$/],
    ['--json into a missing folder', ['--base', MODELS.conv1, '--head', MODELS.conv1, '--json', join(dir, 'no/such/c.json')], /--json .*c\.json: the folder .* does not exist; create it first$/],
  ];

  it('writes a stored results doc from another device for the cases below', () => {
    const base = join(dir, 'base.json');
    expect(edgeml(['bench', MODELS.conv1, ...FAST, '--json', base]).status).toBe(0);
    const doc = JSON.parse(readFileSync(base, 'utf8'));
    doc.device = { ...doc.device, fingerprint: '0123456789abcdef', label: 'jetson-orin' };
    writeFileSync(join(dir, 'other.json'), JSON.stringify(doc));
  });

  it.each(cases)('%s', (_name, args, expected) => {
    writeFileSync(existing, '{"keep": "me"}');
    const r = edgeml(['compare', ...FAST, '--max-rounds', '2', ...(args.includes('--json') ? [] : ['--json', existing]), ...args]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(readFileSync(existing, 'utf8')).toBe('{"keep": "me"}');
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('refuses a tampered compare document on read', () => {
    const bad = join(dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify({ schema: { name: 'edgeml-compare', version: 1 }, kind: 'compare', verdict: 'fine' }));
    expect(() => readCompare(bad)).toThrow(/tampered\.json: not an edgeml compare document \(.+\); regenerate it with 'edgeml compare --json'/);
  });
});

/**
 * A folder holding the digits model and an edgeml.yml with these lines (paths relative to it). The
 * model gets three more bytes (an unknown protobuf field, which ONNX Runtime skips), so that it is
 * not the same file as MODELS.digits and the comparison measures.
 */
function configDir(yml: string): { dir: string; config: string; model: string } {
  const dir = tempDir('edgeml-compare-config-');
  writeFileSync(join(dir, 'mlp.onnx'), Buffer.concat([readFileSync(MODELS.digits), Buffer.from([0xc0, 0x3e, 0x01])]));
  writeFileSync(join(dir, 'edgeml.yml'), yml);
  return { dir, config: join(dir, 'edgeml.yml'), model: join(dir, 'mlp.onnx') };
}

// benchmark: says what is measured (its durations are bench's, not compare's); compare: says how
// long each measurement lasts and how the verdict is judged. Short runs: the test checks settings.
const CONFIG = `version: 1
models:
  digits:
    path: mlp.onnx
    input: [pixels=4x64]
benchmark:
  threads: 1
  warmup: 3
  min-iterations: 500
  min-duration: 20s
compare:
  threshold: 20%
  statistic: p90
  min-iterations: 7
  min-duration: 0s
  max-duration: 30s
  min-rounds: 2
  max-rounds: 2
`;

describe('edgeml compare --config: the settings of edgeml.yml, flags over them', () => {
  it('measures with benchmark: (what), compare: (how long, how judged) and the inputs of the model at --head', () => {
    const { dir, config, model } = configDir(CONFIG);
    const out = join(dir, 'c.json');
    const r = edgeml(['compare', '--config', config, '--base', MODELS.digits, '--head', model, '--json', out]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`measured with the settings of ${config} (benchmark: for what is measured, compare:, models.digits)`);
    const doc = readCompare(out);
    expect(doc.runtime.threads).toBe(1);
    expect(doc.settings).toMatchObject({ warmup: 3, minIterations: 7, minDurationMs: 0 });
    expect(doc).toMatchObject({ threshold: 0.2, metric: 'p90', rounds: 2, stopped: 'max-rounds' });
    expect(doc.exact.find((x) => x.quantity === 'inputs')).toMatchObject({ base: 'pixels=4x64', head: 'pixels=4x64' });
  });

  it('lets a flag typed on the command line win over the file', () => {
    const { dir, config, model } = configDir(CONFIG);
    const out = join(dir, 'c.json');
    const r = edgeml(['compare', '--config', config, '--base', MODELS.digits, '--head', model, '--threads', '2', '--min-iterations', '9', '--threshold', '10%', '--input', 'pixels=2x64', '--json', out]);
    expect(r.status).toBe(0);
    const doc = readCompare(out);
    expect(doc.runtime.threads).toBe(2);
    expect(doc.settings).toMatchObject({ warmup: 3, minIterations: 9 });
    expect(doc).toMatchObject({ threshold: 0.1, metric: 'p90', rounds: 2 });
    expect(doc.exact.find((x) => x.quantity === 'inputs')!.head).toBe('pixels=2x64');
  });

  it('does not read ./edgeml.yml unasked: without --config, the flags and their defaults', async () => {
    const { dir, model } = configDir(CONFIG);
    const out = join(dir, 'c.json');
    const r = await edgemlAsync(['compare', '--base', MODELS.digits, '--head', model, ...FAST, '--max-rounds', '2', '--json', out], {}, dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('note: ./edgeml.yml is not read without --config edgeml.yml');
    const doc = readCompare(out);
    expect(doc).toMatchObject({ threshold: 0.05, metric: 'p50', runtime: { threads: 1 }, settings: { warmup: 1, minIterations: 5 } });
    expect(doc.exact.find((x) => x.quantity === 'inputs')!.head).toBe('pixels=1x64');
  });
});

describe('edgeml compare --config on a bad config: exit 2, one line naming file:line:col and the key, nothing written', () => {
  const cases: Array<[string, (yml: string) => string, RegExp]> = [
    ['a value the schema refuses', (y) => y.replace('warmup: 3', 'warmup: -3'), /edgeml\.yml:8:11: benchmark\.warmup: must be >= 0, got -3$/],
    ['a misspelt key', (y) => y.replace('min-rounds: 2', 'min-round: 2'), /edgeml\.yml:17:3: compare\.min-round: unknown key; expected one of .* \(did you mean 'min-rounds'\?\)$/],
    ['a threshold of 100%', (y) => y.replace('threshold: 20%', 'threshold: 100%'), /edgeml\.yml:12:14: compare\.threshold 100%: expected a percentage between 0% and 100%, such as 5%$/],
    ['a comparison shorter than one measurement', (y) => y.replace('min-duration: 0s', 'min-duration: 40s'),
      /edgeml\.yml:16:17: compare\.max-duration 30s is shorter than one measurement \(compare\.min-duration 40s\); raise compare\.max-duration$/],
    ['a data file of the model that is not there', (y) => y.replace('input: [pixels=4x64]', 'data: [pixels=gone.npy]'), /edgeml\.yml:5:11: models\.digits\.data: .*gone\.npy does not exist; fix the path \(relative to .*edgeml\.yml\)/],
  ];

  it.each(cases)('%s', (_name, edit, expected) => {
    const { dir, config, model } = configDir(edit(CONFIG));
    expectRefused(['compare', '--config', config, '--base', MODELS.digits, '--head', model], join(dir, 'existing.json'), expected);
  });

  it('names the flag, not the file, when the bad value was typed on the command line', () => {
    const { config, model } = configDir(CONFIG);
    const r = edgeml(['compare', '--config', config, '--base', MODELS.digits, '--head', model, '--max-duration', '1ms', '--min-duration', '1s']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('edgeml: error: --max-duration 1ms is shorter than one measurement (--min-duration 1s); raise --max-duration');
  });
});

describe('a paired process on standby', () => {
  const request = (hold: boolean): PairedRequest => ({
    kind: 'paired',
    base: MODELS.conv1,
    head: MODELS.conv10,
    inputs: {},
    session: { threads: 1, executionProvider: 'cpu', optLevel: 'all' },
    run: { scenario: 'single-stream', warmup: 1, minIterations: 1, maxIterations: 0, minDurationMs: 0, maxDurationMs: 300, samplesPerQuery: 1, seed: 1 },
    batchMs: 5,
    loadFirst: 'base',
    hold,
  });

  it('loads and sizes its batches, then times nothing until told to go', async () => {
    const pairs: PairedBatch[] = [];
    let ready = false;
    const proc = startPairedWorker(request(true), () => (ready = true), (chunk) => (pairs.push(...chunk), false));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => ready && (clearInterval(t), resolve()), 20);
    });
    // Ready, and left waiting: another process would be measuring now.
    await new Promise((r) => setTimeout(r, 800));
    expect(pairs).toHaveLength(0);
    proc.go();
    const outcome = await proc.done;
    expect(outcome.kind).toBe('done');
    expect(pairs.length).toBeGreaterThan(0);
  });

  it('ends without timing anything when it is not needed, also when stopped before it was ready', async () => {
    for (const early of [false, true]) {
      const pairs: PairedBatch[] = [];
      let ready = false;
      const proc = startPairedWorker(request(true), () => (ready = true), (chunk) => (pairs.push(...chunk), false));
      if (!early) await new Promise<void>((resolve) => {
        const t = setInterval(() => ready && (clearInterval(t), resolve()), 20);
      });
      proc.stop();
      expect((await proc.done).kind).toBe('done');
      expect(pairs).toHaveLength(0);
    }
  });

  it('is used only where four times the two files fit in the memory free', () => {
    expect(standbyFits({ bytes: 100 }, { bytes: 100 }, 1000)).toBe(true);
    expect(standbyFits({ bytes: 100 }, { bytes: 101 }, 1000)).toBe(false);
  });
});
