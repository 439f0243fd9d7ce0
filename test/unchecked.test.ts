// Nothing unchecked reads as pass: every budget row is judged or says why not, on the row it judged,
// in the unit of its limit; configs that cannot mean anything exit 2. (Issue 14, items 1, 2, 6, 8, 9, 10.)
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDocument, evaluateBudgets, runCheck } from '../src/budgets/index.js';
import { parseConfig } from '../src/config/index.js';
import { buildReport, checkMarkdown, checkView, escapeMarkdown, manifestMarkdown, reportMarkdown, type ReportInputs } from '../src/report/index.js';
import type { BenchResults } from '../src/results/index.js';
import { inUnitOf, limitOf } from '../src/units.js';
import { ROOT, edgeml, tempDir } from './helpers.js';

const digits = (): BenchResults => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results/digits.json'), 'utf8'));

/** The digits results as `edgeml run` writes them: named after the config's model, artifacts with their target. */
function runResult(target?: string, over: Partial<BenchResults> = {}): BenchResults {
  const doc = { ...digits(), ...over };
  doc.model = { ...doc.model, name: 'digits', ...(target ? { path: join(tmpdir(), `out/artifacts/digits/mlp.${target}.onnx`) } : {}) };
  if (target) doc.target = target;
  return doc;
}

const CONFIG = `models:
  digits:
    path: examples/digits/mlp.onnx
budgets:
  - model: digits
    limits:
      size: 1MB
  - model: digits
    target: int8-static
    limits:
      fidelity.top1Agreement: 98%
      size: 1KB
`;

describe('every budget row is judged or says why not', () => {
  const config = parseConfig(CONFIG, join(ROOT, 'edgeml.yml'));
  const fidelity = { cosine: 0.9999, maxAbsError: 0.01, top1Agreement: 0.995, samples: 540, reference: { path: 'mlp.onnx', sha256: 'a'.repeat(64) } };

  it('judges a target budget on the artifact run named after its model (not skipped on the artifact path)', () => {
    const results = [{ file: 's.json', doc: runResult() }, { file: 'i.json', doc: runResult('int8-static', { fidelity }) }];
    const rows = evaluateBudgets(config, results);
    const target = rows.filter((r) => r.budget === 1);
    expect(target.map((r) => [r.key, r.status, r.target])).toEqual([['fidelity.top1Agreement', 'pass', 'int8-static'], ['size', 'fail', 'int8-static']]);
    // The source budget judges both rows (no target selector), each on its own target.
    expect(rows.filter((r) => r.budget === 0).map((r) => r.target)).toEqual(['source', 'int8-static']);
  });

  it('a budget with nothing to judge is `not judged`, fails at level error, and is a notice when optional', () => {
    const results = [{ file: 's.json', doc: runResult() }];
    const rows = evaluateBudgets(config, results);
    const missing = rows.filter((r) => r.budget === 1);
    expect(missing.every((r) => r.status === 'not judged' && r.outcome === 'failure')).toBe(true);
    expect(missing[0].note).toMatch(/^not judged: no results for model digits, target int8-static$/);
    const doc = checkDocument('edgeml.yml', ['s.json'], rows);
    expect(doc.verdict).toBe('fail');
    expect(doc.counts).toEqual({ pass: 1, fail: 0, inconclusive: 0, notJudged: 2 });
    const optional = parseConfig(CONFIG.replace('    target: int8-static\n', '    target: int8-static\n    optional: true\n'), join(ROOT, 'edgeml.yml'));
    const rows2 = evaluateBudgets(optional, results);
    expect(rows2.filter((r) => r.budget === 1).map((r) => r.outcome)).toEqual(['notice', 'notice']);
    expect(checkDocument('edgeml.yml', ['s.json'], rows2).verdict).toBe('pass');
  });

  it('a metric not in the results (no dataset) is not judged with the reason, never inconclusive or a pass', () => {
    const c = parseConfig('models:\n  digits:\n    path: examples/digits/mlp.onnx\nbudgets:\n  - limits:\n      accuracy.top1: 90%\n', join(ROOT, 'edgeml.yml'));
    const [row] = evaluateBudgets(c, [{ file: 's.json', doc: runResult() }]);
    expect(row.status).toBe('not judged');
    expect(row.outcome).toBe('failure');
    expect(row.note).toMatch(/no dataset with labels was evaluated on this model/);
  });

  it('regression without a base says why: base not given, not "first run"', () => {
    const c = parseConfig('models:\n  digits:\n    path: examples/digits/mlp.onnx\nbudgets:\n  - level: warn\n    limits:\n      regression.latency.p50: 5%\n', join(ROOT, 'edgeml.yml'));
    const [row] = evaluateBudgets(c, [{ file: 's.json', doc: runResult() }]);
    expect(row).toMatchObject({ status: 'not judged', outcome: 'warning' });
    expect(row.note).toContain('give --compare');
    expect(row.note).not.toMatch(/first run/);
    const [inRun] = evaluateBudgets(c, [{ file: 's.json', doc: runResult() }], undefined, 'no base given: give --base-ref (a commit) or --base-model (a folder) to compare with');
    expect(inRun.note).toMatch(/--base-ref .*--base-model/);
  });
});

describe('one unit rule and one set of counts', () => {
  it.each([
    ['size', 3.1 * 2 ** 20, '3.2MB', '3.25 MB', '≤ 3.2 MB'],
    ['size', 3.06e6, '3.2MB', '3.06 MB', '≤ 3.2 MB'],
    ['size', 3200001, '3.2 MB', '3.200001 MB', '≤ 3.2 MB'],
    ['memory.peak', 300 * 2 ** 20, '500MiB', '300 MiB', '≤ 500 MiB'],
    ['latency.p90', 0.1234, '250us', '123 µs', '≤ 250 µs'],
    ['accuracy.top1', 0.9704, '95%', '97.0%', '≥ 95%'],
    ['fidelity.maxAbsError', 0.00123, '<= 0.01', '0.00123', '≤ 0.01'],
  ])('%s %d against %s reads %s %s', (key, value, limitText, shown, limit) => {
    expect(inUnitOf(key, value, limitText)).toBe(shown);
    expect(limitOf(key.startsWith('accuracy') ? 'min' : 'max', limitText)).toBe(limit);
  });

  it('check and report count the same statuses, with one icon set', () => {
    const config = parseConfig(CONFIG.replace('size: 1MB', 'size: 1KB').replace('  - model: digits\n    target', '  - model: digits\n    level: warn\n    target'), join(ROOT, 'edgeml.yml'));
    const rows = evaluateBudgets(config, [{ file: 's.json', doc: runResult() }, { file: 'i.json', doc: runResult('int8-static') }]);
    const doc = checkDocument('edgeml.yml', ['s.json', 'i.json'], rows);
    const check = checkMarkdown(rows, doc.verdict);
    const report = reportMarkdown(buildReport({ results: [{ file: 's.json', doc: runResult() }, { file: 'i.json', doc: runResult('int8-static') }], compare: [], check: [{ file: 'k.json', doc: checkView(doc) }] }));
    expect(doc.counts).toEqual({ pass: 0, fail: 3, inconclusive: 0, notJudged: 1 });
    expect(check).toContain('3 fail, 0 inconclusive, 1 not judged');
    expect(report).toMatch(/budgets: 3 fail, 1 not judged/);
    // A failed warn-level budget is ⚠️ in both; ❔ only ever means inconclusive.
    expect(check).toContain('⚠️ fail (warn)');
    expect(report).toContain('⚠️ fail (warn)');
    expect(check).not.toContain('⚠️ inconclusive');
    // The value in the unit of its limit: 69.6 KB against 1KB, never KiB against KB.
    expect(check).toMatch(/\| 69\.6 KB +\|.*\| ≤ 1 KB +\|/);
  });
});

describe('the report shows every budget on the row it judged', () => {
  const fidelity = { cosine: 0.99991, maxAbsError: 0.0123, top1Agreement: 0.995, samples: 540, reference: { path: 'mlp.onnx', sha256: 'a'.repeat(64) } };
  const accuracy = { top1: 0.9704, dataset: { path: '/repo/models/test_inputs.npy', sha256: 'b'.repeat(64), samples: 540 } };
  const config = parseConfig(CONFIG, join(ROOT, 'edgeml.yml'));
  const results = [
    { file: 'i.json', doc: runResult('int8-static', { fidelity, accuracy }) },
    { file: 's.json', doc: runResult(undefined, { accuracy }) },
  ];
  const inputs: ReportInputs = {
    results, compare: [],
    check: [{ file: 'k.json', doc: checkView(checkDocument('edgeml.yml', [], evaluateBudgets(config, results))) }],
    notMade: [
      { model: 'digits', target: 'tensorrt', reason: 'trtexec is not installed', optional: false },
      { model: 'digits', target: 'openvino', reason: 'ovc is not installed', optional: true },
    ],
  };
  const report = buildReport(inputs);
  const md = reportMarkdown(report);

  it('source first, each row with its own budgets, accuracy and fidelity', () => {
    const rows = report.models[0].rows;
    expect(rows.map((r) => r.target)).toEqual(['source', 'int8-static', 'openvino', 'tensorrt']);
    expect(rows[0].budgets.map((b) => b.key)).toEqual(['size']);
    expect(rows[1].budgets.map((b) => `${b.key} ${b.status}`)).toEqual(['size pass', 'fidelity.top1Agreement pass', 'size fail']);
    expect(md).toMatch(/^\| source +\| ci&#45;x64 .*\| +top1 97\.04% \(test&#95;inputs&#46;npy\) \| +reference \| +✅ 1 \|$/m);
    expect(md).toMatch(/^\| int8&#45;static .*\| +cos 0\.99991 · max abs err 0\.0123 · top-1 agree 99\.50% \| +❌ 1 ✅ 2 \|$/m);
  });

  it('a target that could not be made is a failed row with the reason (optional: shown, not failed)', () => {
    expect(md).toMatch(/^\| tensorrt +\| +\| +❌ not made: trtexec is not installed \|/m);
    expect(md).toMatch(/^\| openvino +\| +\| +🚫 not made \(optional\): ovc is not installed \|/m);
    expect(report.status).toBe('fail');
    expect(buildReport({ ...inputs, check: [], notMade: inputs.notMade!.filter((m) => m.optional) }).status).toBe('none');
  });

  it('charts draw a base only for rows that were compared', () => {
    expect(md).toContain('title "digits p90 latency ms"');
    expect(md).not.toMatch(/line \[/);
  });
});

describe('bad configs exit 2 with one line', () => {
  const dir = tempDir();
  const results = join(ROOT, 'test/fixtures/results/digits.json');
  const cases: Array<[string, string, RegExp]> = [
    ['an empty config', '', /empty\.yml: the config is empty/],
    ['a comment-only config', '# nothing yet\n', /empty\.yml: the config is empty/],
    ['a config without budgets', 'models:\n  digits:\n    path: mlp.onnx\n', /empty\.yml: no budgets: nothing to check/],
    ['a YAML alias bomb', `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`, /empty\.yml: too many YAML aliases/],
    ['a dataset naming a model that is not there', 'models:\n  digits:\n    path: mlp.onnx\ndatasets:\n  t:\n    inputs: x.npy\n    models: [digit]\n', /empty\.yml:7:14: datasets\.t\.models\[0\]: 'digit' is not a model under models \(digits\); did you mean 'digits'\?/],
  ];
  it.each(cases)('%s', (_what, text, message) => {
    const file = join(dir, 'empty.yml');
    writeFileSync(file, text);
    const r = edgeml(['check', '--config', file, '--results', results]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(() => runCheck({ config: file, results: [results] })).toThrow(message);
  });
});

describe('the optimize job summary', () => {
  it('keeps every row of the manifest table at the header\'s column count (no bare | in a cell)', () => {
    const artifact = { target: 'int8-static', runtime: { name: 'onnxruntime', version: '1.30.0' }, settings: {}, status: 'ok', path: 'mlp.int8-static.onnx', bytes: 20000, fidelity: { cosine: 0.999, maxAbsError: 0.05, top1Agreement: 0.99, samples: 4 }, durationMs: 900 };
    const manifest = {
      schema: { name: 'edgeml-optimize-manifest', version: 1 }, tool: { name: 'edgeml', version: '0' }, createdAt: '2026-12-01T00:00:00Z',
      source: { path: 'mlp.onnx', sha256: 'a'.repeat(64), bytes: 69572, opset: 13 },
      validation: { inputs: 'random', samples: 4, floor: { cosine: 0.99, top1Agreement: 0.95, absTolerance: 1e-4 } },
      artifacts: [artifact, { ...artifact, target: 'fp16', status: 'failed', path: undefined, reason: 'fidelity | below the floor', failure: 'fidelity', fidelity: { ...artifact.fidelity, maxAbsError: null } }],
    };
    const md = manifestMarkdown(manifest as unknown as Parameters<typeof manifestMarkdown>[0], escapeMarkdown);
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    const table = md.split('\n').filter((l) => l.startsWith('|'));
    expect(table.length).toBeGreaterThan(2);
    for (const line of table) expect(cells(line)).toBe(cells(table[0]));
  });
});
