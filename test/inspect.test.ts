// edgeml inspect on real models: node counts against the ONNX reference, known unsupported ops
// found, a fully supported model says YES, compute estimated from ONNX Runtime's shapes, exit codes.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countNodes, readInspect, runInspect, scopes, type InspectOutcome, type TargetOutcome } from '../src/compat/index.js';
import { loadModel } from '../src/model/index.js';
import { edgeml, MODELS, ROOT, tempDir } from './helpers.js';
import { resource, tool } from './tools.js';

const PYTHON = tool('/usr/bin/python3', 'python3');
const HAS_ONNX = PYTHON !== null && resource(spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0, 'python3 onnx module', 'python3-onnx');

const ALL = ['nnapi', 'coreml', 'coreml-mlprogram', 'ort-mobile', 'tensorrt', 'openvino', 'tflite'];
const target = (doc: InspectOutcome, name: string): TargetOutcome => doc.targets.find((t) => t.target === name)!;
const unsupportedOps = (t: TargetOutcome) => new Set((t.fixed ?? t.asIs).unsupported.map((u) => `${u.op}:${u.reason}`));

/**
 * Nodes per model as the reference onnx package counts them: main graph, every sub-graph, and the
 * nodes of each op type (domain:op) over all graphs.
 */
function referenceCounts(files: string[]): Array<{ main: number; sub: number; ops: Record<string, number> }> {
  const script = [
    'import sys, json, collections, onnx',
    'def walk(g, ops):',
    '    n = len(g.node)',
    '    for node in g.node:',
    '        ops[(node.domain or "") + ":" + node.op_type] += 1',
    '        for a in node.attribute:',
    '            if a.type == onnx.AttributeProto.GRAPH: n += walk(a.g, ops)',
    '            if a.type == onnx.AttributeProto.GRAPHS: n += sum(walk(x, ops) for x in a.graphs)',
    '    return n',
    'out = []',
    'for f in sys.argv[1:]:',
    '    m = onnx.load(f)',
    '    ops = collections.Counter()',
    '    out.append({"main": len(m.graph.node), "sub": walk(m.graph, ops) - len(m.graph.node), "ops": dict(ops)})',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PYTHON!, ['-c', script, ...files], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.skipIf(!HAS_ONNX)('node counts agree with the onnx reference package', () => {
  let convnet = '';
  beforeAll(() => {
    const dir = tempDir('edgeml-convnet-');
    const r = spawnSync(PYTHON!, [join(ROOT, 'benchmark/make-convnet.py'), dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    convnet = join(dir, 'convnet.onnx');
  });

  it('on PP-OCR det/rec/cls, Silero VAD (If sub-graphs), openwakeword, digits and a torchvision-style CNN', () => {
    const files = [MODELS.ocrDet, MODELS.ocrRec, MODELS.ocrCls, MODELS.vadV5, MODELS.vadLegacy, MODELS.wakeword, MODELS.digits, convnet];
    const ref = referenceCounts(files);
    files.forEach((f, i) => expect(countNodes(loadModel(f)), f).toEqual({ main: ref[i].main, sub: ref[i].sub }));
    // Silero VAD keeps nearly all of its nodes inside If branches: they are counted, not skipped.
    expect(ref[3].sub).toBeGreaterThan(600);
  });

  it('on every ONNX model of those packages and of test/fixtures, per op type as well, and the inspect document says the same', async () => {
    const dirs = [dirname(MODELS.ocrDet), dirname(MODELS.vadV5), dirname(MODELS.wakeword), join(ROOT, 'test/fixtures')];
    const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.onnx')).map((f) => join(d, f)));
    expect(files.length).toBeGreaterThan(12);
    const ref = referenceCounts(files);
    for (const [i, f] of files.entries()) {
      const model = loadModel(f);
      const ops: Record<string, number> = {};
      for (const s of scopes(model)) for (const { node } of s.nodes) ops[`${node.domain ?? ''}:${node.op_type}`] = (ops[`${node.domain ?? ''}:${node.op_type}`] ?? 0) + 1;
      expect({ ...countNodes(model), ops }, f).toEqual(ref[i]);
    }
    // What a user reads: the document's counts, and every target's node total (main and sub-graphs).
    const doc = await runInspect({ model: MODELS.vadV5, targets: ['nnapi', 'tensorrt'] });
    const v5 = ref[files.indexOf(MODELS.vadV5)];
    expect([doc.model.nodes, doc.model.subgraphNodes]).toEqual([v5.main, v5.sub]);
    for (const t of doc.targets) expect(t.asIs.coverage.nodes).toBe(v5.main + v5.sub);
  });

  it('the CNN: every target but Core ML MLProgram (no Flatten in its table) takes it, and its FLOPs are the ones computed by hand', async () => {
    const doc = await runInspect({ model: convnet, targets: ALL, inputs: ['images=1x3x64x64'] });
    for (const t of doc.targets.filter((x) => x.target !== 'coreml-mlprogram')) expect(t.runs, `${t.target}: ${t.verdict}`).toBe(true);
    expect([...unsupportedOps(target(doc, 'coreml-mlprogram'))]).toEqual(['Flatten:op-missing']);
    expect(doc.pass).toBe(false);
    // 3x3 convs, pads 1: 2·H·W·Cout·Cin·9 each; pools after conv 1, 3, 5; Gemm 512→10 with bias.
    const convs: Array<[number, number, number]> = [[3, 64, 64], [64, 128, 32], [128, 128, 32], [128, 256, 16], [256, 256, 16], [256, 512, 8], [512, 512, 8]];
    let flops = convs.reduce((a, [cin, cout, hw]) => a + 2 * hw * hw * cout * cin * 9, 0);
    flops += 2 * 10 * 512 + 10; // fc
    const relu = [64 * 64 * 64, 128 * 32 * 32, 128 * 32 * 32, 256 * 16 * 16, 256 * 16 * 16, 512 * 8 * 8, 512 * 8 * 8];
    flops += relu.reduce((a, b) => a + b, 0); // one per output element
    flops += 64 * 64 * 64 + 128 * 32 * 32 + 256 * 16 * 16; // max pools read their input once
    flops += 512 * 8 * 8; // global average pool
    expect(target(doc, 'tensorrt').fixed!.coverage.flops).toBe(flops);
    expect(target(doc, 'nnapi').fixed!.partitions).toBe(1);
  });
});

describe('known unsupported operators are found', () => {
  it('PP-OCR cls: HardSigmoid is in neither the NNAPI nor the Core ML table; BatchNormalization not in Core ML MLProgram', async () => {
    const doc = await runInspect({ model: MODELS.ocrCls, targets: ALL, inputs: ['x=1x3x48x192'] });
    expect(unsupportedOps(target(doc, 'nnapi'))).toContain('HardSigmoid:op-missing');
    expect(unsupportedOps(target(doc, 'coreml'))).toContain('HardSigmoid:op-missing');
    expect(unsupportedOps(target(doc, 'coreml-mlprogram'))).toContain('BatchNormalization:op-missing');
    // opset 9: Conv is version 1 there, and the ORT mobile package was built with the opset 12/13 kernels.
    expect(unsupportedOps(target(doc, 'ort-mobile'))).toContain('Conv:opset');
    const nnapi = target(doc, 'nnapi');
    expect(nnapi.runs).toBe(false);
    expect(nnapi.verdict).toMatch(/^NO: nnapi takes \d+ of 471 nodes/);
    // Split into partitions around each HardSigmoid, as ORT's partitioner would.
    expect(nnapi.fixed!.partitions).toBeGreaterThan(2);
    expect(target(doc, 'tensorrt').runs).toBe(true);
    expect(target(doc, 'openvino').runs).toBe(true);
  });

  it('Silero VAD: its If nodes are not taken by NNAPI, and If-16 is not in the ORT mobile package; nodes inside the branches are judged', async () => {
    const doc = await runInspect({ model: MODELS.vadV5, targets: ['nnapi', 'ort-mobile', 'openvino'], inputs: ['input=1x512', 'state=2x1x128'], data: ['sr=16000'] });
    const nnapi = target(doc, 'nnapi');
    const ops = unsupportedOps(nnapi);
    expect(ops).toContain('If:op-missing');
    expect(nnapi.fixed!.unsupported.some((u) => u.graph !== 'main')).toBe(true);
    expect(unsupportedOps(target(doc, 'ort-mobile'))).toContain('If:opset');
    expect(target(doc, 'openvino').runs).toBe(true);
    // Its LSTM and Conv are inside If branches, which ONNX Runtime does not expose: no compute share.
    expect(nnapi.fixed!.coverage.computePercent).toBeNull();
    expect(nnapi.fixed!.coverage.unestimatedNodes).toBeGreaterThan(0);
  });

  it('PP-OCR det and rec are judged with their inputs fixed', async () => {
    const det = await runInspect({ model: MODELS.ocrDet, targets: ['nnapi', 'tensorrt'], inputs: ['x=1x3x320x320'] });
    expect(unsupportedOps(target(det, 'nnapi'))).toContain('HardSigmoid:op-missing');
    expect(target(det, 'tensorrt').fixed!.coverage.computePercent).toBe(100);
    const rec = await runInspect({ model: MODELS.ocrRec, targets: ['coreml'], inputs: ['x=1x3x48x320'] });
    expect(target(rec, 'coreml').runs).toBe(false);
    expect(target(rec, 'coreml').fixed!.coverage.flops).toBeGreaterThan(1e8);
  });

  it('openwakeword: fixed shapes, taken whole by five tables; Core ML lacks ReduceMean (NeuralNetwork) and Flatten (MLProgram)', async () => {
    const doc = await runInspect({ model: MODELS.wakeword, targets: ALL });
    for (const name of ['nnapi', 'ort-mobile', 'tensorrt', 'openvino', 'tflite']) expect(target(doc, name).runs, target(doc, name).verdict).toBe(true);
    expect([...unsupportedOps(target(doc, 'coreml'))]).toEqual(['ReduceMean:op-missing']);
    expect([...unsupportedOps(target(doc, 'coreml-mlprogram'))]).toEqual(['Flatten:op-missing']);
    // Fixed shapes in the file: declared and fixed agree.
    expect(target(doc, 'nnapi').asIs.unsupported).toEqual([]);
  });
});

describe('dynamic shapes: as declared and fixed', () => {
  it('digits: NNAPI refuses every node while the batch is dynamic, and takes all of them once it is fixed', async () => {
    const doc = await runInspect({ model: MODELS.digits, targets: ['nnapi', 'tensorrt'] });
    const nnapi = target(doc, 'nnapi');
    expect(nnapi.asIs.unsupported.map((u) => u.reason)).toEqual(Array(5).fill('dynamic-shape'));
    expect(nnapi.fixed!.unsupported).toEqual([]);
    expect(nnapi.runs).toBe(true);
    expect(nnapi.verdict).toMatch(/^YES: .*as declared, 5 nodes are not/);
    expect(doc.inputs[0].fixed).toEqual([1, 64]);
  });

  it('a named dim that is not a batch: as declared it is dynamic; --dim or --input fix it as bench does, and only then is it judged fixed', async () => {
    const none = target(await runInspect({ model: MODELS.namedDim, targets: ['nnapi'] }), 'nnapi');
    expect(none.asIs.unsupported.map((u) => u.reason)).toEqual(['dynamic-shape']);
    expect(none.fixed).toBeNull();
    expect(none.runs).toBe(false);
    expect(none.fixedNote).toMatch(/sequence/);
    for (const flags of [{ dims: ['sequence=16'] }, { inputs: ['tokens=1x16'] }]) {
      const doc = await runInspect({ model: MODELS.namedDim, targets: ['nnapi'], ...flags });
      expect(doc.inputs).toEqual([{ name: 'tokens', declared: [1, 'sequence'], fixed: [1, 16] }]);
      expect(target(doc, 'nnapi').asIs.unsupported.map((u) => u.reason)).toEqual(['dynamic-shape']);
      expect(target(doc, 'nnapi').fixed!.unsupported).toEqual([]);
      expect(target(doc, 'nnapi').runs).toBe(true);
    }
  });

  it('a model whose dims nobody fixed: the fixed pass is reported as not done, and compute as not estimated', async () => {
    const doc = await runInspect({ model: MODELS.ocrCls, targets: ['tensorrt'] });
    const t = target(doc, 'tensorrt');
    expect(t.fixed).toBeNull();
    expect(t.fixedNote).toMatch(/--input x=/);
    expect(t.asIs.coverage.computePercent).toBeNull();
    expect(doc.flopsMethod).toMatch(/^not estimated/);
  });
});

describe('edgeml inspect (CLI bundle)', () => {
  it('exit 0 when every target takes the model, with the document written and valid', () => {
    const out = join(tempDir(), 'inspect.json');
    const r = edgeml(['inspect', '--model', MODELS.digits, '--target', 'tensorrt,openvino', '--target', 'nnapi', '--json', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^YES nnapi/m);
    expect(r.stdout).toMatch(/table: TensorRT 10\.0 \(onnx\/onnx-tensorrt@96e7811\)/);
    const doc = readInspect(out);
    expect(doc.targets.map((t) => t.target)).toEqual(['tensorrt', 'openvino', 'nnapi']);
  });

  it('edgeml check --inspect holds the document to compat budgets: exit 1 on a broken one', () => {
    const dir = tempDir();
    const doc = join(dir, 'inspect.json');
    expect(edgeml(['inspect', '--model', MODELS.ocrCls, '--target', 'nnapi,tensorrt', '--input', 'x=1x3x48x192', '--json', doc]).status).toBe(1);
    const config = join(dir, 'edgeml.yml');
    writeFileSync(config, `models:\n  cls:\n    path: ${MODELS.ocrCls}\nbudgets:\n  - model: cls\n    limits:\n      compat.tensorrt.unsupported: 0\n      compat.nnapi.partitions: 1\n`);
    const r = edgeml(['check', '--config', config, '--inspect', doc, '--json', join(dir, 'check.json')]);
    expect(r.status, r.stderr).toBe(1);
    const check = JSON.parse(readFileSync(join(dir, 'check.json'), 'utf8'));
    expect(check.checks.map((c: { key: string; status: string }) => [c.key, c.status])).toEqual([['compat.tensorrt.unsupported', 'pass'], ['compat.nnapi.partitions', 'fail']]);
  });

  it('exit 1 when a target does not take the whole model', () => {
    const r = edgeml(['inspect', '--model', MODELS.ocrCls, '--target', 'nnapi', '--input', 'x=1x3x48x192']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^NO {2}nnapi/m);
    expect(r.stdout).toMatch(/HardSigmoid '.+': op-missing/);
  });

  it.each([
    [['--target', 'nnpai'], /--target nnpai: no support table for 'nnpai'; known targets are nnapi, /],
    [['--target', ''], /--target: name at least one target runtime/],
    [['--target', 'nnapi', '--input', 'y=1x64'], /--input y=\.\.\.: the model has no input named 'y'; its inputs are 'pixels'/],
    [['--target', 'nnapi', '--vendor-log', 'tensorrt=x.log'], /--vendor-log tensorrt=x\.log: 'tensorrt' is not among the --target list/],
    [['--target', 'tensorrt', '--vendor-log', 'tensorrt=/nonexistent.log'], /--vendor-log \/nonexistent\.log: cannot read it \(ENOENT\)/],
  ])('exit 2 for %j, one line, no document written', (args, message) => {
    const out = join(tempDir(), 'inspect.json');
    const r = edgeml(['inspect', '--model', MODELS.digits, ...args, '--json', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('exit 2 for a file that is not a model', () => {
    const bad = join(tempDir(), 'bad.onnx');
    spawnSync('sh', ['-c', `printf 'not a model' > ${bad}`]);
    const r = edgeml(['inspect', '--model', bad, '--target', 'nnapi']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.onnx: not an ONNX model/);
  });

  it('the vendored tables name their source, commit, version and date', () => {
    for (const name of ALL) {
      const t = JSON.parse(readFileSync(join(ROOT, 'data/compat', `${name}.json`), 'utf8'));
      expect(t.target).toBe(name);
      expect(t.source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(t.source.url).toContain(t.source.commit);
      expect(t.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(t.ops.length).toBeGreaterThan(30);
    }
  });

  it('the refresh script stops, naming the file, when a source is missing, and writes nothing', () => {
    const before = readFileSync(join(ROOT, 'data/compat/nnapi.json'), 'utf8');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/compat-tables.mjs'), '--from', tempDir()], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nnapi\.md: cannot read it \(ENOENT\); put the microsoft\/onnxruntime file tools\/ci_build\/github\/android\/nnapi_supported_ops\.md there/);
    expect(readFileSync(join(ROOT, 'data/compat/nnapi.json'), 'utf8')).toBe(before);
  });
});
