// `edgeml run` end to end on a git repository with three real models of different kinds: the digits
// MLP (vision, labelled test set), Silero VAD (audio, state and sample-rate inputs fed from `data`)
// and a transformer encoder (MatMul-heavy, int64 tokens). Each has targets, datasets tied to
// models, budgets on the source and on targets; the base commit differs in one model only.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheck, type CheckDocument } from '../src/budgets/index.js';
import { readInspect } from '../src/compat/index.js';
import { readCompare } from '../src/compare/index.js';
import { readResults } from '../src/results/index.js';
import { DIGITS, MODELS, ROOT, edgeml, tempDir } from './helpers.js';
import { writeNpy } from './npy.js';

const CONFIG = `version: 1
models:
  digits:
    path: models/mlp.onnx
    data: [pixels=models/test_inputs.npy]
    calibration: [pixels=models/calib_inputs.npy]
    targets: [int8-static, ort-optimized]
  encoder:
    path: models/encoder.onnx
    data: [tokens=models/tokens_1x16.npy]
    targets: [int8-dynamic, { target: tensorrt, optional: true }, openvino]
  vad:
    path: models/vad.onnx
    input: [input=1x512, state=2x1x128]
    data: [sr=16000]
    # optimize feeds sr from the model's data, as bench does (a random sr is no sample rate).
    targets: [ort-optimized]
inspect: [nnapi, openvino]
benchmark:
  warmup: 1
  min-iterations: 20
  min-duration: 100ms
  max-duration: 2s
compare:
  min-duration: 100ms
  min-iterations: 20
  max-duration: 3s
  min-rounds: 2
datasets:
  digits-test:
    inputs: models/test_inputs.npy
    labels: models/test_labels.npy
    models: [digits]
  tokens:
    inputs: models/encoder_tokens.npy
    models: [encoder]
budgets:
  - model: digits
    limits:
      latency.p90: 10s
      accuracy.top1: 90%
      size: 1MB
  - model: digits
    target: int8-static
    limits:
      fidelity.top1Agreement: 90%
      accuracy.top1: 90%
  - model: digits
    target: ort-optimized
    message: this one must fail
    limits:
      size: 1KB
  - model: encoder
    limits:
      memory.peak: 8GB
  - model: encoder
    target: int8-dynamic
    limits:
      fidelity.cosine: 0.9
      size: 3.2MB
  - model: vad
    limits:
      latency.p50: 10s
      compat.openvino.coverage: 100%
      compat.tensorrt.partitions: 1
  - model: vad
    optional: true
    limits:
      accuracy.top1: 90%
  - level: warn
    limits:
      regression.latency.p50: 50%
`;

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
}

/** The same network with another sha256: a doc_string field (ModelProto field 6) appended to the protobuf. */
function changedModel(src: string, dst: string): void {
  const note = Buffer.from('head version');
  writeFileSync(dst, Buffer.concat([readFileSync(src), Buffer.from([0x32, note.length]), note]));
}

describe('edgeml run on a repository with three kinds of model', () => {
  it('judges every budget, fails on the target budget that must fail, and reports one row per model x target', () => {
    const dir = tempDir('edgeml-e2e-');
    mkdirSync(join(dir, 'models'));
    for (const f of ['mlp.onnx', 'test_inputs.npy', 'test_labels.npy', 'calib_inputs.npy']) copyFileSync(join(DIGITS, f), join(dir, 'models', f));
    copyFileSync(MODELS.encoder, join(dir, 'models/encoder.onnx'));
    copyFileSync(join(ROOT, 'test/fixtures/encoder_tokens.npy'), join(dir, 'models/encoder_tokens.npy'));
    // One [1, 16] query for the benchmark: the first sample of the 64 (a .npy v1 header, then the int64s).
    const npy = readFileSync(join(ROOT, 'test/fixtures/encoder_tokens.npy'));
    const at = 10 + npy.readUInt16LE(8);
    writeNpy(join(dir, 'models/tokens_1x16.npy'), new BigInt64Array(npy.buffer.slice(npy.byteOffset + at, npy.byteOffset + at + 16 * 8)), [1, 16]);
    copyFileSync(MODELS.vadV5, join(dir, 'models/vad.onnx'));
    writeFileSync(join(dir, 'edgeml.yml'), CONFIG);
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    changedModel(join(DIGITS, 'mlp.onnx'), join(dir, 'models/mlp.onnx'));
    git(dir, 'commit', '-q', '-am', 'head: digits changed, encoder and vad identical');

    const out = join(dir, 'out');
    const r = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--base-ref', 'HEAD~1', '--out', out, '--json', join(dir, 'run.json')]);
    expect(r.stderr).not.toMatch(/internal error/);
    // The ort-optimized size budget fails, and openvino (not optional, no tool here) was not made.
    expect(r.stderr, r.stderr).not.toMatch(/error:/);
    expect(r.status).toBe(1);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.failures).toEqual(expect.arrayContaining([expect.stringMatching(/^encoder openvino: not made/), expect.stringMatching(/^digits ort-optimized on .*: size fail$/)]));
    expect(run.failures.filter((f: string) => /tensorrt/.test(f))).toEqual([]);

    // Every budget judged: no row passes on nothing; the only `not judged` is the optional one.
    const checks: CheckDocument[] = readdirSync(join(out, 'check')).map((f) => readCheck(join(out, 'check', f)));
    const rows = checks.flatMap((c) => c.checks);
    const notJudged = rows.filter((c) => c.status === 'not judged');
    // (on vad's source and on its ort-optimized artifact: no labelled dataset fits it)
    expect(notJudged.map((c) => [c.model, c.key, c.outcome])).toEqual([['vad', 'accuracy.top1', 'notice'], ['vad', 'accuracy.top1', 'notice']]);
    // The rows of budget `index` (0-based in edgeml.yml) on one model x target.
    const row = (model: string, target: string, key: string, index?: number) => rows.filter((c) => c.model === model && c.target === target && c.key === key && (index === undefined || c.budget === index));
    expect(row('digits', 'int8-static', 'fidelity.top1Agreement').map((c) => c.status)).toEqual(['pass']);
    expect(row('digits', 'int8-static', 'accuracy.top1', 1).map((c) => c.status)).toEqual(['pass']);
    // A budget without a target judges the source and every artifact, each on its own row.
    expect(row('digits', 'int8-static', 'accuracy.top1', 0).map((c) => c.status)).toEqual(['pass']);
    expect(row('digits', 'ort-optimized', 'size', 0).map((c) => c.status)).toEqual(['pass']);
    expect(row('digits', 'ort-optimized', 'size', 2).map((c) => [c.status, c.outcome])).toEqual([['fail', 'failure']]);
    expect(row('encoder', 'int8-dynamic', 'fidelity.cosine').map((c) => c.status)).toEqual(['pass']);
    expect(row('encoder', 'int8-dynamic', 'size', 4).map((c) => c.status)).toEqual(['pass']);
    for (const model of ['digits', 'encoder', 'vad']) expect(row(model, 'source', 'regression.latency.p50')).toHaveLength(1);

    // Datasets tied to models: digits scored on its labels, the encoder's artifacts on fidelity, vad on neither.
    const results = (name: string) => readResults(join(out, 'results', name));
    expect(results('digits-source.json').accuracy?.top1).toBeGreaterThan(0.9);
    expect(results('encoder-int8-dynamic.json').fidelity?.cosine).toBeGreaterThan(0.9);
    expect(results('encoder-source.json').accuracy).toBeUndefined();
    expect(results('vad-source.json').accuracy).toBeUndefined();

    // The changed model against its base; the identical ones compared too.
    const digits = readCompare(join(out, 'compare/digits.json'));
    expect(digits.base.model.sha256).not.toBe(digits.head.model.sha256);
    for (const same of ['encoder', 'vad']) {
      const cmp = readCompare(join(out, `compare/${same}.json`));
      expect(cmp.base.model.sha256).toBe(cmp.head.model.sha256);
      // Identical files are not measured: unchanged (same file), the ratio exactly 1.
      expect(cmp.verdict).toBe('unchanged');
      expect(cmp.design.used).toBe('same-file');
      expect(cmp.rounds).toBe(0);
    }

    // Operator compatibility, inspected as configured and for the runtimes the budgets name:
    // Silero VAD's If nodes are not NNAPI's; OpenVINO takes all of it; digits is compared with its base.
    const inspected = (name: string) => readInspect(join(out, 'inspect', `${name}.json`));
    expect(inspected('vad').targets.map((t) => [t.target, t.runs])).toEqual([['nnapi', false], ['openvino', true], ['tensorrt', true]]);
    expect(inspected('vad').targets[0].fixed!.unsupported.map((u) => u.op)).toContain('If');
    expect(inspected('encoder').targets.map((t) => t.target)).toEqual(['nnapi', 'openvino']);
    expect(row('vad', 'source', 'compat.openvino.coverage').map((c) => c.status)).toEqual(['pass']);
    expect(row('vad', 'source', 'compat.tensorrt.partitions').map((c) => c.status)).toEqual(['pass']);
    expect(run.files.inspect).toHaveLength(3);

    // One report row per model x target: source first, accuracy, fidelity, size change, failed targets visible.
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/edgeml report: \*\*fail\*\*/);
    const table = (model: string) => md.slice(md.indexOf(`#### ${model}\n`)).split('\n\n')[1].split('\n').filter((l) => /^\| (?!:|-|target)/.test(l));
    const targets = (model: string) => table(model).map((l) => l.split('|')[1].trim());
    expect(targets('digits')).toEqual(['source', 'int8&#45;static', 'ort&#45;optimized']);
    expect(targets('encoder')).toEqual(['source', 'int8&#45;dynamic', 'openvino', 'tensorrt']);
    expect(targets('vad')).toEqual(['source', 'ort&#45;optimized']);
    const compat = (model: string) => md.slice(md.indexOf(`#### Operator compatibility: ${model}\n`)).split('\n\n')[1].split('\n').slice(2);
    expect(compat('vad')[0]).toMatch(/^\| nnapi +\| ❌ no +\| .*If &#40;op&#45;missing&#41;.*\| unchanged +\|$/);
    expect(compat('digits').map((l) => l.split('|')[7].trim())).toEqual(['unchanged', 'unchanged']);
    const [source, int8] = table('digits');
    expect(source).toMatch(/67\.9 KiB → 68\.0 KiB \(\+0\.0%\)/);
    expect(source).toMatch(/top1 9\d\.\d\d% \(test&#95;inputs&#46;npy\)/);
    expect(int8).toMatch(/top1 9\d\.\d\d%.*cos 0\.\d+ · max abs err [\d.e-]+ · top-1 agree \d+\.\d\d%/);
    expect(table('encoder')[0]).toMatch(/\(unchanged\)/);
    expect(table('encoder')[2]).toMatch(/❌ not made: /);
    expect(table('encoder')[3]).toMatch(/🚫 not made \(optional\): .*trtexec/);
    expect(table('digits')[2]).toMatch(/\| ❌ 1 [^|]*\|$/);
    // The report counts what the checks count.
    const count = (s: string) => rows.filter((c) => c.status === s).length;
    expect(md).toContain(`budgets: ${[['pass', count('pass')], ['fail', count('fail')], ['inconclusive', count('inconclusive')], ['not judged', count('not judged')]].filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }, 900_000);

  it('evaluates a dataset without models: on the models it fits and says so for the others; one naming a model must fit it', () => {
    const dir = tempDir('edgeml-e2e-ds-');
    mkdirSync(join(dir, 'models'));
    for (const f of ['mlp.onnx', 'test_inputs.npy', 'test_labels.npy']) copyFileSync(join(DIGITS, f), join(dir, 'models', f));
    copyFileSync(MODELS.encoder, join(dir, 'models/encoder.onnx'));
    const config = (models: string) => `models:
  digits:
    path: models/mlp.onnx
  encoder:
    path: models/encoder.onnx
benchmark:
  warmup: 1
  min-iterations: 10
  min-duration: 50ms
  max-duration: 1s
datasets:
  digits-test:
    inputs: models/test_inputs.npy
    labels: models/test_labels.npy
${models}budgets:
  - model: digits
    limits:
      accuracy.top1: 90%
`;
    writeFileSync(join(dir, 'edgeml.yml'), config(''));
    const r = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--out', join(dir, 'out'), '--json', join(dir, 'run.json')]);
    expect(r.status, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.notices).toEqual(expect.arrayContaining([expect.stringMatching(/^encoder: dataset digits-test not evaluated, it does not fit \(.*tokens.*\); name the models it is for with datasets\.digits-test\.models$/)]));
    expect(readResults(join(dir, 'out/results/digits-source.json')).accuracy?.top1).toBeGreaterThan(0.9);

    writeFileSync(join(dir, 'edgeml.yml'), config('    models: [digits, encoder]\n'));
    const bad = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--out', join(dir, 'out2')]);
    expect(bad.status).toBe(2);
    // Checked before any work: one line, nothing written.
    expect(existsSync(join(dir, 'out2'))).toBe(false);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^edgeml: error: .*edgeml\.yml:13:13: datasets\.digits-test: does not fit model encoder \(.*\); fix the data or take encoder out of datasets\.digits-test\.models$/)]);
  }, 600_000);
});
