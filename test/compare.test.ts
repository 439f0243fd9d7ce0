// `edgeml compare` as users run it: interleaved rounds, a verdict, a valid document; and every bad
// input ends with exit 2, one line, and nothing written.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCompare } from '../src/compare/index.js';
import { MODELS, edgeml, tempDir } from './helpers.js';

/** Short measurements: tests check behaviour, never speed. */
const FAST = ['--warmup', '1', '--min-iterations', '5', '--min-duration', '0', '--threads', '1'];

describe('edgeml compare', () => {
  const dir = tempDir();

  it('finds a 10x slower head slower, from alternating rounds, and exits 1', () => {
    const out = join(dir, 'slower.json');
    const r = edgeml(['compare', '--base', MODELS.conv1, '--head', MODELS.conv10, ...FAST, '--min-rounds', '7', '--max-duration', '60s', '--json', out]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^\*\*slower\*\* · p50 head\/base [\d.]+ \(\+\d+\.\d%\), 95% interval [\d.]+ – [\d.]+, threshold ±5%/);
    const doc = readCompare(out);
    expect(doc.verdict).toBe('slower');
    expect(doc.ratio.p50.estimate).toBeGreaterThan(3);
    expect(doc.ratio.p50.ci95![0]).toBeGreaterThan(1.05);
    expect(doc.rounds).toBe(7);
    expect(doc.threshold).toBe(0.05);
    expect(doc.mode).toBe('interleaved');
    // ABBA: the first arm alternates every round.
    expect(doc.measurements.map((m) => m.first)).toEqual(['base', 'head', 'base', 'head', 'base', 'head', 'base']);
    expect(doc.exact.find((x) => x.quantity === 'sha256')!.same).toBe(false);
    expect(doc.exact.find((x) => x.quantity === 'inputs')!.same).toBe(true);
  });

  it('never calls a model slower than itself, and says the files are the same', () => {
    const out = join(dir, 'aa.json');
    const r = edgeml(['compare', '--base', MODELS.conv1, '--head', MODELS.conv1, ...FAST, '--min-rounds', '6', '--max-rounds', '6', '--threshold', '10%', '--json', out]);
    expect(r.status).toBe(0);
    const doc = readCompare(out);
    expect(doc.verdict).not.toBe('slower');
    expect(doc.stopped === 'decided' || doc.stopped === 'max-rounds').toBe(true);
    expect(doc.threshold).toBe(0.1);
    expect(doc.exact.every((x) => x.same)).toBe(true);
    expect(r.stdout).toContain('base and head are the same file');
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
