// Operator compatibility in a report made from files (the report action on a workflow_run, and
// `edgeml report`): the compat documents `edgeml run` writes give the same tables, "vs base"
// included, as the report run posts; without them nothing reads as compatible, and a compat
// budget judged elsewhere is not judged here. Real inspections (ONNX Runtime), the built bundles,
// the GitHub API stand-in.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInspect, writeCompat, writeInspect, type CompatDocument, type InspectOutcome } from '../src/compat/index.js';
import { reportMarker } from '../src/github/comment.js';
import { buildReport, checkView, escapeMarkdown as e, readReportInputs, reportMarkdown, type ReportInputs } from '../src/report/index.js';
import { mergeCompat, readCompatInput } from '../src/report/docs.js';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { MODELS, edgeml, tempDir, withHardSigmoid } from './helpers.js';
import { HOSTILE, HOSTILE_ESCAPED, benchDoc, checkDoc, writeJson } from './report-fixtures.js';
import { PR, runReportAction, type Run } from './report-runner.js';

const MODEL = 'mlp.onnx'; // the name the results fixture (benchDoc) measured
const marker = reportMarker('models/report');

let gh: GitHubServer;
let head: InspectOutcome;
let base: InspectOutcome;
const dir = tempDir('edgeml-report-compat-');
const results = writeJson(dir, 'results.json', benchDoc({ device: 'pi5', fingerprint: '1111111111111111' }));
// compat.nnapi fails on the head's HardSigmoid; compat.tensorrt passes: as `edgeml run` judged them.
const check = writeJson(dir, 'check.json', checkDoc([
  { key: 'compat.nnapi.unsupported', value: 1, limit: 0, status: 'fail', level: 'error', message: '1 > 0', model: MODEL },
  { key: 'compat.tensorrt.unsupported', value: 0, limit: 0, status: 'pass', level: 'error', message: '0 <= 0', model: MODEL },
]));
const compatDoc = (over: Partial<CompatDocument> = {}): CompatDocument => ({
  schema: 'edgeml-compat/1', model: MODEL, runtimes: ['nnapi', 'tensorrt'], head, base, notInspected: [], ...over,
});
const compatFile = (name: string, doc: CompatDocument) => {
  mkdirSync(join(dir, name), { recursive: true });
  const file = join(dir, name, `${MODEL}.json`);
  writeCompat(file, doc);
  return file;
};
const inMemory = (compat: ReportInputs['compat']): string =>
  reportMarkdown(buildReport({ ...readReportInputs({ results: [results], check: [check] }), ...(compat ? { compat } : {}) }));

beforeAll(async () => {
  gh = await startGitHubServer();
  // The head: digits with a HardSigmoid (NNAPI lacks it); the base: digits as it was.
  const model = join(dir, MODEL);
  withHardSigmoid(MODELS.digits, model);
  head = await runInspect({ model, targets: ['nnapi', 'tensorrt'] });
  base = await runInspect({ model: MODELS.digits, targets: ['nnapi', 'tensorrt'] });
  base.model.name = MODEL;
}, 120_000);
afterAll(async () => gh.close());
beforeEach(() => gh.comments.clear());
afterEach(() => expect(gh.violations).toEqual([]));

const runReport = (inputs: Record<string, string>) => runReportAction(gh, inputs);
const body = () => gh.issueComments(PR)[0].body;
const errors = (r: Run) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('the report action with the compat documents edgeml run wrote', () => {
  it('posts the compatibility table with its vs base column, the same report run renders from memory', async () => {
    const file = compatFile('run', compatDoc());
    const r = await runReport({ results, check, compat: join(dir, 'run', '*.json') });
    // The failed budget is an annotation, as in the run; the step itself succeeds.
    expect(errors(r)).toEqual([`::error title=edgeml budget compat.nnapi.unsupported (${MODEL})::1 > 0`]);
    expect(r.status).toBe(0);
    expect(r.outputs.status).toBe('fail');
    expect(body()).toBe(`${marker}\n${inMemory([{ model: MODEL, head, base, failed: [] }])}`);
    expect(body()).toContain('#### Operator compatibility: mlp&#46;onnx');
    expect(body()).toMatch(/\| nnapi +\| ❌ no +\| 4\/5 \(80%\) .*\| adds 1× HardSigmoid &#40;op&#45;missing&#41; that nnapi does not support; partitions 1 → 2; no longer runs whole +\|/);
    expect(body()).toMatch(/\| tensorrt +\| ✅ yes +\| 5\/5 \(100%\) .*\| unchanged +\|/);
    expect(body()).toMatch(new RegExp(`❌ fail +\\| ${e('compat.nnapi.unsupported')} `));
    expect(readCompatInput(file)).toEqual({ model: MODEL, head, base, failed: [] });
  });

  it('without compat documents: no runtime reads compatible, each compat budget is not judged and fails, the runtime is not inspected', async () => {
    const empty = tempDir('edgeml-report-nocompat-');
    // A pattern that matches nothing is no error: a model nobody inspected has no document.
    const r = await runReport({ results, check, compat: join(empty, 'compat', '*.json') });
    expect(r.status).toBe(0);
    expect(errors(r)).toEqual(['nnapi', 'tensorrt'].map((t) => expect.stringMatching(new RegExp(`^::error title=edgeml budget compat\\.${t}\\.unsupported \\(mlp\\.onnx\\)::not inspected: no compat document for mlp\\.onnx`))));
    expect(r.outputs.status).toBe('fail');
    const md = body();
    expect(md).not.toContain('✅ yes');
    expect(md).toMatch(/#### Operator compatibility: mlp&#46;onnx\n\n> 🚫 nnapi: not inspected: no compat document for mlp&#46;onnx/);
    expect(md).toContain('> 🚫 tensorrt: not inspected: ');
    const row = md.split('\n').find((l) => l.includes(e('compat.tensorrt.unsupported')))!;
    expect(row).toMatch(/^\| 🚫 not judged /);
    expect(row).toContain(e('not inspected: no compat document for mlp.onnx'));
    // The same from the command line, and with no compat budget there is nothing to show at all.
    const cli = edgeml(['report', '--results', results, '--check', check]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^### ❌ edgeml report: \*\*fail\*\*/);
    expect(cli.stdout).toContain('> 🚫 tensorrt: not inspected: no compat document');
    const plain = edgeml(['report', '--results', results]);
    expect(plain.stdout).not.toContain('Operator compatibility');
  });

  it('a runtime run could not inspect fails the report as it failed the run; a base it could not inspect is named', async () => {
    const failed = compatFile('failed', compatDoc({
      head: null, base: null, notInspected: [{ model: MODEL, target: 'nnapi', reason: 'inspect reads ONNX files', fails: true }],
    }));
    const r = await runReport({ results, compat: failed });
    expect(r.outputs.status).toBe('fail');
    expect(body()).toMatch(/#### Operator compatibility: mlp&#46;onnx\n\n> ❌ nnapi: not inspected: inspect reads ONNX files/);
    const noBase = compatFile('nobase', compatDoc({ base: null, baseNote: 'the base model could not be inspected (bad.onnx: not an ONNX model)' }));
    const n = await runReport({ results, compat: noBase });
    expect(body()).toContain('> 🚫 vs base: not compared: the base model could not be inspected');
    expect(body()).not.toContain('vs base |');
    expect(n.outputs.status).toBe('none');
  });

  it('renders what a fork could write into a compat document inert', async () => {
    const evil = structuredClone(head);
    evil.model.name = HOSTILE;
    evil.targets[0].fixed!.unsupported[0].name = HOSTILE;
    evil.targets[0].vendor = { tool: HOSTILE, log: HOSTILE, agrees: false, summary: HOSTILE, disagreements: [] };
    const file = join(dir, 'evil.json');
    writeCompat(file, compatDoc({ model: HOSTILE, head: evil, base: null, notInspected: [{ model: HOSTILE, target: HOSTILE, reason: HOSTILE }] }));
    const r = await runReport({ results: writeJson(dir, 'evil-results.json', benchDoc({ model: HOSTILE })), compat: file });
    expect(errors(r)).toEqual([]);
    expect(body()).toContain(`#### Operator compatibility: ${HOSTILE_ESCAPED}\n`);
    expect(body()).toContain(`> ⚠️ ${HOSTILE_ESCAPED} disagrees with the static check for nnapi: ${HOSTILE_ESCAPED}`);
    expect(body()).toContain(`> 🚫 ${HOSTILE_ESCAPED}: not inspected: ${HOSTILE_ESCAPED}`);
    for (const raw of ['<script', '<img', '@org', '](', '|pipe']) expect(body()).not.toContain(raw);
  });

  it('a compat file that is not one, or names another model inside, fails the step with one line naming it', async () => {
    const bad = writeJson(dir, 'bad-compat.json', { schema: 'edgeml-compat/1', model: MODEL });
    const r = await runReport({ results, compat: bad });
    expect(errors(r)).toEqual([`::error::${bad}: not an edgeml compat document (/ must have required property 'runtimes'); regenerate it with 'edgeml run'`]);
    expect(r.status).toBe(1);
    const other = join(dir, 'other.json');
    writeCompat(other, compatDoc({ notInspected: [{ model: 'det', target: 'nnapi', reason: 'x' }] }));
    const o = await runReport({ results, compat: other });
    expect(errors(o)).toEqual([`::error::${other}: a runtime not inspected names model 'det', not the document's '${MODEL}'; regenerate it with 'edgeml run'`]);
    expect(gh.comments.size).toBe(0);
  });
});

describe('edgeml report --compat', () => {
  it('takes compat documents, or the inspect document of edgeml inspect --json, and shows the same table', () => {
    const file = compatFile('cli', compatDoc());
    const r = edgeml(['report', '--results', results, '--check', check, '--compat', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(inMemory([{ model: MODEL, head, base, failed: [] }]));
    const inspected = join(dir, 'inspect.json');
    writeInspect(inspected, head);
    const plain = edgeml(['report', '--results', results, '--check', check, '--compat', inspected]);
    expect(plain.stdout).toBe(inMemory([{ model: MODEL, head, failed: [] }]));
    expect(plain.stdout).toMatch(/\| tensorrt +\| ✅ yes +\|/);
    const bad = edgeml(['report', '--results', results, '--compat', join(dir, 'gone.json')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe(`edgeml: error: ${join(dir, 'gone.json')}: no such compat file; give the file written by 'edgeml run'`);
  });
});

describe('a device matrix: each device uploads the same model\'s compat document', () => {
  it('shows one table per model, from a document that holds an inspection', () => {
    const none = { model: MODEL, failed: [{ model: MODEL, target: 'nnapi', reason: 'onnxruntime-node missing' }] };
    expect(mergeCompat([none, { model: MODEL, head, failed: [] }, { model: MODEL, head: base, failed: [] }])).toEqual([{ model: MODEL, head, failed: [] }]);
    const other = { model: MODEL, failed: [{ model: MODEL, target: 'coreml', reason: 'y' }] };
    expect(mergeCompat([none, other])).toEqual([{ model: MODEL, failed: [...none.failed, ...other.failed] }]);
  });

  it('a compat budget beside an inspection without its runtime is not judged', () => {
    const onlyNnapi = structuredClone(head);
    onlyNnapi.targets = onlyNnapi.targets.filter((t) => t.target === 'nnapi');
    const r = buildReport({
      results: [], compare: [],
      check: [{ file: 'k.json', doc: checkView(checkDoc([{ key: 'compat.tensorrt.unsupported', value: 0, limit: 0, status: 'pass', level: 'error', message: '', model: MODEL }])) }],
      compat: [{ model: MODEL, head: onlyNnapi, failed: [] }],
    });
    expect(r.budgets.map((b) => [b.key, b.status, b.outcome])).toEqual([['compat.tensorrt.unsupported', 'not judged', 'failure']]);
    expect(r.compat![0].failed).toEqual([{ model: MODEL, target: 'tensorrt', reason: `the compat document of ${MODEL} has no inspection for tensorrt` }]);
    expect(r.status).toBe('fail');
  });
});
