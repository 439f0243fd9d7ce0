// `edgeml run` in one process: the config is read once, each model file hashed once, and the
// report built from the documents in memory is byte for byte the report `edgeml report` builds
// from the files run wrote. Real runtime, real models; the reads are counted, not mocked.
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { judgeCompatBudgets } from '../src/budgets/index.js';
import { readInspect } from '../src/compat/index.js';
import { loadConfig, type EdgemlConfig } from '../src/config/index.js';
import { hashReadsOf } from '../src/model/index.js';
import { buildReport, compatSection, readReportInputs, reportMarkdown } from '../src/report/index.js';
import { runAll, type RunReporter } from '../src/run/index.js';
import { inspectFile, inspectPlan } from '../src/run/inspect.js';
import { DIGITS, MODELS, tempDir, withHardSigmoid } from './helpers.js';

const quiet: RunReporter = { group: (_name, fn) => fn(), info: () => {}, warning: () => {} };

const CONFIG = `version: 1
models:
  digits:
    path: models/mlp.onnx
    data: [pixels=models/test_inputs.npy]
  cls:
    path: models/cls.onnx
    input: [x=1x3x48x192]
targets: [ort-optimized, { target: tensorrt, optional: true }]
inspect: [nnapi, { target: coreml, optional: true }]
benchmark:
  warmup: 1
  min-iterations: 5
  min-duration: 0ms
  max-duration: 1s
compare:
  min-duration: 50ms
  max-duration: 1s
  min-rounds: 2
datasets:
  test:
    inputs: models/test_inputs.npy
    labels: models/test_labels.npy
    models: [digits]
budgets:
  - limits:
      latency.p90: 10s
  - model: cls
    limits:
      compat.nnapi.unsupported: 0
      compat.tensorrt.coverage: 100%
`;

function repository(): { dir: string; base: string } {
  const dir = tempDir('edgeml-run-memory-');
  const base = join(dir, 'base');
  for (const d of [join(dir, 'models'), join(base, 'models')]) mkdirSync(d, { recursive: true });
  for (const f of ['test_inputs.npy', 'test_labels.npy']) copyFileSync(join(DIGITS, f), join(dir, 'models', f));
  withHardSigmoid(join(DIGITS, 'mlp.onnx'), join(dir, 'models/mlp.onnx'));
  copyFileSync(join(DIGITS, 'mlp.onnx'), join(base, 'models/mlp.onnx'));
  copyFileSync(MODELS.ocrCls, join(dir, 'models/cls.onnx'));
  copyFileSync(MODELS.ocrCls, join(base, 'models/cls.onnx'));
  writeFileSync(join(dir, 'edgeml.yml'), CONFIG);
  return { dir, base };
}

describe('edgeml run passes documents in memory', () => {
  it('reads the config once, hashes each model once, and writes the report edgeml report would build from its files', async () => {
    const { dir, base } = repository();
    let configReads = 0;
    // Read once through the injected loader, then moved away: any other read of it fails the run.
    const counting = (file: string): EdgemlConfig => {
      configReads++;
      const config = loadConfig(file);
      renameSync(file, `${file}.read`);
      return config;
    };
    const heads = [join(dir, 'models/mlp.onnx'), join(dir, 'models/cls.onnx')];
    const bases = [join(base, 'models/mlp.onnx'), join(base, 'models/cls.onnx')];
    const before = [...heads, ...bases].map(hashReadsOf);
    const out = join(dir, 'out');
    const o = await runAll({ config: join(dir, 'edgeml.yml'), base: { dir: base }, out }, quiet, { loadConfig: counting });

    expect(configReads).toBe(1);
    renameSync(join(dir, 'edgeml.yml.read'), join(dir, 'edgeml.yml'));
    // Bench, compare, optimize, eval and inspect each describe the model: its bytes are read once.
    expect([...heads, ...bases].map((f, i) => hashReadsOf(f) - before[i])).toEqual([1, 1, 1, 1]);

    // The files it wrote, read back the way the report action reads them, make the same report:
    // compatibility (with vs base) from compat/*.json alone; only the targets not made come from
    // its summary (the optimize manifest does not say which targets edgeml.yml marks optional).
    expect(o.files.compat).toEqual([join(out, 'compat/digits.json'), join(out, 'compat/cls.json')]);
    const fromFiles = reportMarkdown(buildReport({
      ...readReportInputs({ results: o.files.results, compare: o.files.compare, check: o.files.check, compat: o.files.compat }),
      notMade: o.rows.filter((r) => r.notMade).map((r) => ({ model: r.model, target: r.target, ...r.notMade! })),
    }));
    const written = readFileSync(o.report, 'utf8');
    expect(written).toBe(o.rendered.markdown);
    expect(fromFiles).toBe(written);
    expect(written).toContain('#### Operator compatibility: digits');
    expect(written).toMatch(/\| nnapi +\| ❌ no +\| 4\/5 \(80%\) .*\| adds 1× HardSigmoid &#40;op&#45;missing&#41; that nnapi does not support; partitions 1 → 2; no longer runs whole +\|/);
    expect(written).toMatch(/\| tensorrt +\| ✅ yes +\| 471\/471 \(100%\) .*\| unchanged +\|/);
    // Judged through the budgets: PP-OCR cls's HardSigmoid fails NNAPI; TensorRT takes all of it;
    // the budget on a runtime with no table is not judged (a notice, being optional), never passed.
    const rows = o.files.check.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).checks as Array<{ key: string; model?: string; status: string; outcome: string; note?: string }>);
    const compatRows = rows.filter((r) => r.key.startsWith('compat.')).map((r) => [r.model, r.key, r.status, r.outcome]);
    expect(compatRows).toEqual([
      ['cls', 'compat.nnapi.unsupported', 'fail', 'failure'],
      ['cls', 'compat.tensorrt.coverage', 'pass', 'ok'],
    ]);
    expect(o.failures).toContain('cls on nnapi: compat.nnapi.unsupported fail');
    expect(o.verdict).toBe('fail');
    expect(readInspect(join(out, 'inspect/cls.json')).targets.map((t) => t.target)).toEqual(['nnapi', 'coreml', 'tensorrt']);
  }, 600_000);
});

describe('a runtime edgeml run cannot inspect', () => {
  it('fails the run and the report (unless optional), saying why under the model\'s compatibility heading', async () => {
    const dir = tempDir('edgeml-run-ort-');
    // An ORT-format model: ONNX Runtime runs it, the inspector reads ONNX protobufs only.
    await ort.InferenceSession.create(MODELS.digits, { graphOptimizationLevel: 'basic', optimizedModelFilePath: join(dir, 'mlp.ort'), extra: { session: { save_model_format: 'ORT' } } } as ort.InferenceSession.SessionOptions);
    const config = (inspect: string) => `models:\n  m:\n    path: mlp.ort\n${inspect}benchmark:\n  warmup: 1\n  min-iterations: 5\n  min-duration: 0ms\n  max-duration: 1s\n`;
    writeFileSync(join(dir, 'edgeml.yml'), config('inspect: [nnapi]\n'));
    const o = await runAll({ config: join(dir, 'edgeml.yml'), out: join(dir, 'out') }, quiet);
    expect(o.failures).toEqual([expect.stringMatching(/^m nnapi: not inspected \(.*inspect reads ONNX files/)]);
    expect(o.verdict).toBe('fail');
    expect(o.rendered.markdown).toMatch(/^### ❌ edgeml report: \*\*fail\*\*/);
    expect(o.rendered.markdown).toMatch(/#### Operator compatibility: m\n\n> ❌ nnapi: not inspected: .*inspect reads ONNX files/);
    expect(o.files.inspect).toEqual([]);
    // The compat document says so too: a report made from the files alone fails the same way.
    const fromFiles = buildReport(readReportInputs({ results: o.files.results, compat: o.files.compat }));
    expect(fromFiles.status).toBe('fail');
    expect(reportMarkdown(fromFiles)).toBe(o.rendered.markdown);

    writeFileSync(join(dir, 'edgeml.yml'), config('inspect: [{ target: nnapi, optional: true }]\n'));
    const optional = await runAll({ config: join(dir, 'edgeml.yml'), out: join(dir, 'out') }, quiet);
    expect(optional.failures).toEqual([]);
    expect(optional.notices).toEqual(expect.arrayContaining([expect.stringMatching(/^m nnapi: not inspected \(.*\); optional, so the run goes on$/)]));
    expect(optional.rendered.markdown).toMatch(/> 🚫 nnapi: not inspected: /);
  }, 300_000);
});

describe('which runtimes edgeml run inspects', () => {
  const config = (text: string) => {
    const dir = tempDir('edgeml-inspect-plan-');
    copyFileSync(MODELS.digits, join(dir, 'm.onnx'));
    writeFileSync(join(dir, 'edgeml.yml'), `models:\n  m:\n    path: m.onnx\n${text}`);
    return loadConfig(join(dir, 'edgeml.yml'));
  };
  const budget = 'budgets:\n  - limits:\n      compat.coreml.partitions: 1\n';

  it('inspect: and the runtimes compat budgets name; the flag replaces the list', () => {
    expect(inspectPlan(config(`inspect: [nnapi]\n${budget}`), 'm')).toEqual({ targets: ['nnapi', 'coreml'], optional: [], fromBudgets: ['coreml'], failed: [] });
    expect(inspectPlan(config(budget), 'm', { value: ['tflite'], from: '--inspect tflite' }).targets).toEqual(['tflite', 'coreml']);
    expect(inspectPlan(config('inspect: []\n'), 'm').targets).toEqual([]);
  });

  it('turned off, the runtimes budgets name are not inspected and say why', () => {
    const off = inspectPlan(config(`inspect: false\n${budget}`), 'm');
    expect(off.targets).toEqual([]);
    expect(off.failed).toEqual([{ model: 'm', target: 'coreml', reason: expect.stringMatching(/^inspection is turned off \(inspect: false in .*edgeml\.yml:4:10\)$/) }]);
    expect(inspectPlan(config(budget), 'm', { value: false, from: '--inspect false' }).failed[0].reason).toBe('inspection is turned off (--inspect false)');
  });

  it('a runtime a budget names that has no table in this build: its budgets are not judged, saying so', () => {
    const c = config(budget);
    c.budgets[0].limits[0].key = 'compat.hexagon.partitions';
    const plan = inspectPlan(c, 'm');
    expect(plan.targets).toEqual([]);
    expect(plan.failed).toEqual([{ model: 'm', target: 'hexagon', reason: expect.stringMatching(/^no operator table for 'hexagon' in this build \(known: nnapi, /) }]);
    const rows = judgeCompatBudgets(c, [], plan.failed, 'm');
    expect(rows.map((r) => [r.subject, r.status, r.outcome, r.note])).toEqual([['m on hexagon', 'not judged', 'failure', `not inspected: ${plan.failed[0].reason}`]]);
  });

  it('an unknown runtime in inspect: or the flag is bad input naming where it is written', () => {
    expect(() => inspectPlan(config('inspect: [nnapi, coremll]\n'), 'm')).toThrow(/edgeml\.yml:4:10: inspect: 'coremll' is not a runtime edgeml inspect has a table for \(.*\); did you mean 'coreml'\?$/);
    expect(() => inspectPlan(config(''), 'm', { value: ['tensorrtt'], from: '--inspect tensorrtt' })).toThrow(/^--inspect tensorrtt: 'tensorrtt' is not a runtime/);
  });

  it('a model the inspector cannot read (an .ort file) is every runtime not inspected, with the reason shown in the report', async () => {
    const dir = tempDir('edgeml-inspect-ort-');
    const ort = join(dir, 'm.ort');
    writeFileSync(ort, Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from('ORTM'), Buffer.alloc(64)]));
    const plan = { name: 'm', inputs: { input: [], dim: [], data: [] } } as unknown as Parameters<typeof inspectFile>[0];
    const r = await inspectFile(plan, ort, ['nnapi']);
    expect(r).toEqual({ failed: expect.stringMatching(/inspect reads ONNX files/) });
    const md = compatSection({ model: 'm', failed: [{ model: 'm', target: 'nnapi', reason: (r as { failed: string }).failed }] });
    expect(md).toMatch(/^#### Operator compatibility: m\n\n> 🚫 nnapi: not inspected: .*inspect reads ONNX files/);
  });
});
