// The parts of inspect that are not the whole command: ORT-style partitions, the vendor-log
// cross-check on real captured logs, compat budgets in edgeml.yml, and the PR report's rows.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeCompatBudgets } from '../src/budgets/index.js';
import { crossCheck, partitions, runInspect, type InspectOutcome } from '../src/compat/index.js';
import { parseConfig } from '../src/config/parse.js';
import { AttrType, DataType, floatTensor, loadModel, make, saveModel, type ModelProto, type NodeProto } from '../src/model/index.js';
import { compatMarkdown, inspectText } from '../src/report/compat.js';
import { MODELS, ROOT, tempDir } from './helpers.js';

const VENDOR = join(ROOT, 'test/fixtures/vendor');
const log = (p: string) => readFileSync(join(VENDOR, p), 'utf8');

const node = (name: string, op: string, input: string[], output: string[]): NodeProto => make.node({ name, op_type: op, input, output });

describe('partitions, as ONNX Runtime groups supported nodes', () => {
  // x -> a -> b -> c -> y, with a side branch a -> s -> c
  const chain = [node('a', 'A', ['x'], ['ta']), node('b', 'B', ['ta'], ['tb']), node('s', 'S', ['ta'], ['ts']), node('c', 'C', ['tb', 'ts'], ['y'])];

  it('all supported: one partition of every node', () => {
    expect(partitions(chain, () => true)).toEqual([4]);
  });

  it('an unsupported node between two supported ones splits them', () => {
    expect(partitions(chain, (n) => n.name !== 'b')).toEqual([2, 1]);
  });

  it('nothing supported: no partitions', () => {
    expect(partitions(chain, () => false)).toEqual([]);
  });

  it('independent supported nodes with no unsupported node between them share one partition', () => {
    const wide = [node('p', 'P', ['x'], ['tp']), node('q', 'Q', ['x'], ['tq']), node('u', 'U', ['x'], ['tu'])];
    expect(partitions(wide, (n) => n.name !== 'u')).toEqual([2]);
  });
});

/** The MNIST network of trtexec/8.4.1-onnx-verbose.log, rebuilt with the node and tensor names the log prints. */
function cookbookMnist(dilated = false): ModelProto {
  const zeros = (name: string, dims: number[]) => floatTensor(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
  const pool = (name: string, i: string, o: string) => {
    const n = node(name, 'MaxPool', [i], [o]);
    n.attribute.push(make.attribute({ name: 'kernel_shape', type: AttrType.INTS, ints: [2, 2] }), make.attribute({ name: 'strides', type: AttrType.INTS, ints: [2, 2] }));
    if (dilated) n.attribute.push(make.attribute({ name: 'dilations', type: AttrType.INTS, ints: [2, 2] }));
    return n;
  };
  const conv = (name: string, i: string, w: string, b: string, o: string) => {
    const n = node(name, 'Conv', [i, w, b], [o]);
    n.attribute.push(make.attribute({ name: 'pads', type: AttrType.INTS, ints: [2, 2, 2, 2] }));
    return n;
  };
  const perm = node('Transpose-7', 'Transpose', ['tensor-6'], ['tensor-7']);
  perm.attribute.push(make.attribute({ name: 'perm', type: AttrType.INTS, ints: [0, 2, 3, 1] }));
  const shape = make.tensor({ name: 'constantM1Comma3136', dims: [2], data_type: DataType.INT64, int64_data: [-1, 3136] });
  const graph = make.graph({
    name: 'mnist',
    node: [
      conv('Conv-1', 'tensor-0', 'constant32x1', 'constant32', 'tensor-1'), node('ReLU-2', 'Relu', ['tensor-1'], ['tensor-2']), pool('MaxPool-3', 'tensor-2', 'tensor-3'),
      conv('Conv-4', 'tensor-3', 'constant64x32', 'constant64', 'tensor-4'), node('ReLU-5', 'Relu', ['tensor-4'], ['tensor-5']), pool('MaxPool-6', 'tensor-5', 'tensor-6'),
      perm, node('Reshape-7', 'Reshape', ['tensor-7', 'constantM1Comma3136'], ['tensor-8']),
      node('MatMul-9', 'MatMul', ['tensor-8', 'constant3136x1024'], ['tensor-9']), node('Add-10', 'Add', ['tensor-9', 'constant1024'], ['tensor-10']),
      node('ReLU-11', 'Relu', ['tensor-10'], ['tensor-11']), node('MatMul-12', 'MatMul', ['tensor-11', 'constant1024x10'], ['tensor-12']),
      node('Add-13', 'Add', ['tensor-12', 'constant10'], ['tensor-13']), node('Softmax-14', 'Softmax', ['tensor-13'], ['tensor-14']),
      node('ArgMax-15', 'ArgMax', ['tensor-14'], ['tensor-15']),
    ],
    initializer: [
      zeros('constant32x1', [32, 1, 5, 5]), zeros('constant32', [32]), zeros('constant64x32', [64, 32, 5, 5]), zeros('constant64', [64]), shape,
      zeros('constant3136x1024', [3136, 1024]), zeros('constant1024', [1024]), zeros('constant1024x10', [1024, 10]), zeros('constant10', [10]),
    ],
    input: [make.valueInfo({ name: 'tensor-0', type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 1 }, { dim_value: 28 }, { dim_value: 28 }] } } } })],
    output: [make.valueInfo({ name: 'tensor-15', type: { tensor_type: { elem_type: DataType.INT64, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 1 }] } } } })],
  });
  return { ir_version: 8, opset_import: [{ domain: '', version: 13 }], graph, metadata_props: [], functions: [] } as unknown as ModelProto;
}

async function inspectModel(model: ModelProto, targets: string[], args: { inputs?: string[]; vendorLogs?: string[] } = {}): Promise<InspectOutcome> {
  const file = join(tempDir(), 'model.onnx');
  saveModel(model, file);
  return runInspect({ model: file, targets, ...args });
}

describe('the static verdict against a vendor tool log (real captured logs)', () => {
  it('trtexec --verbose (TensorRT 8.4.1) registered every node the static check says it takes: they agree', async () => {
    const doc = await inspectModel(cookbookMnist(), ['tensorrt'], { inputs: ['tensor-0=1x1x28x28'], vendorLogs: [`tensorrt=${join(VENDOR, 'trtexec/8.4.1-onnx-verbose.log')}`] });
    const v = doc.targets[0].vendor!;
    expect(doc.targets[0].runs).toBe(true);
    expect(v.agrees).toBe(true);
    expect(v.summary).toMatch(/^trtexec parsed 15 nodes into layers/);
    expect(v.disagreements).toEqual([]);
  });

  it('a MaxPool the table rules out (dilations) that trtexec registered: the disagreement is shown', async () => {
    const doc = await inspectModel(cookbookMnist(true), ['tensorrt'], { inputs: ['tensor-0=1x1x28x28'], vendorLogs: [`tensorrt=${join(VENDOR, 'trtexec/8.4.1-onnx-verbose.log')}`] });
    const t = doc.targets[0];
    expect(t.runs).toBe(false);
    expect(t.vendor!.agrees).toBe(false);
    expect(t.vendor!.disagreements.map((d) => d.node)).toEqual(['MaxPool-3', 'MaxPool-6']);
    expect(t.vendor!.disagreements[0]).toMatchObject({ static: expect.stringMatching(/dilations must be all ones/), runtime: 'registered as a TensorRT layer' });
    expect(inspectText(doc)).toMatch(/trtexec log .*: DISAGREES/);
    expect(compatMarkdown(doc)).toMatch(/⚠️ trtexec disagrees with the static check for tensorrt/);
  });

  it('a trtexec log of another model is not read as agreement', () => {
    const t = { target: 'tensorrt', runs: true, fixed: null, asIs: { unsupported: [] } } as unknown as Parameters<typeof crossCheck>[0];
    const v = crossCheck(t, log('trtexec/8.4.1-onnx-verbose.log'), 'x.log', [{ name: '/0/Gemm', op: 'Gemm' }]);
    expect(v.agrees).toBeNull();
    expect(v.summary).toMatch(/names none of this model's 1 named nodes/);
  });

  it('benchmark_model: a failed NNAPI delegate against a static YES is a disagreement; XNNPACK taking part of the graph too', async () => {
    const doc = await runInspect({ model: MODELS.digits, targets: ['tflite'] });
    const t = doc.targets[0];
    expect(t.runs).toBe(true);
    const failed = crossCheck(t, log('tflite/2.4.0-android-nnapi-failed.log'), 'nnapi.log', []);
    expect(failed).toMatchObject({ tool: 'benchmark_model', agrees: false });
    expect(failed.summary).toMatch(/the NNAPI delegate failed to apply; the static check says YES — they disagree/);
    const partial = crossCheck(t, log('tflite/ti-am62x-xnnpack.log'), 'xnnpack.log', []);
    expect(partial.agrees).toBe(false);
    expect(partial.summary).toMatch(/partly|part of the graph \(1 delegate kernels\)/);
    // A CPU run says nothing about placement: no verdict, not a pass.
    expect(crossCheck(t, log('tflite/ti-am62x-cpu.log'), 'cpu.log', []).agrees).toBeNull();
  });

  it('benchmark_app compiled the whole model: agrees with a static YES', async () => {
    const doc = await runInspect({ model: MODELS.digits, targets: ['openvino'] });
    const v = crossCheck(doc.targets[0], log('openvino/2024.1.0-python-cpu.log'), 'ov.log', []);
    expect(v).toMatchObject({ tool: 'benchmark_app', agrees: true });
  });
});

describe('compat budgets in edgeml.yml', () => {
  const yml = (limits: string) => `models:\n  digits:\n    path: ${MODELS.digits}\nbudgets:\n  - model: digits\n    limits:\n${limits}`;

  it('judges coverage, compute coverage, partitions and unsupported per runtime; a runtime not inspected is not judged, never passed', async () => {
    const config = parseConfig(yml('      compat.nnapi.coverage: 100%\n      compat.nnapi.partitions: 1\n      compat.coreml.coverage.compute: 99%\n      compat.tensorrt.unsupported: 0\n'), 'edgeml.yml');
    const doc = await runInspect({ model: MODELS.digits, targets: ['nnapi', 'coreml'] });
    const rows = judgeCompatBudgets(config, [{ file: 'inspect.json', doc }]);
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ['compat.nnapi.coverage', 'pass'], ['compat.nnapi.partitions', 'pass'], ['compat.coreml.coverage.compute', 'pass'], ['compat.tensorrt.unsupported', 'not judged'],
    ]);
    expect(rows[3].note).toMatch(/did not inspect tensorrt .*add --target tensorrt/);
  });

  it('fails a model that a runtime does not take whole', async () => {
    const config = parseConfig(`models:\n  cls:\n    path: ${MODELS.ocrCls}\nbudgets:\n  - limits:\n      compat.nnapi.unsupported: 0\n      compat.nnapi.coverage: 99%\n`, 'edgeml.yml');
    const doc = await runInspect({ model: MODELS.ocrCls, targets: ['nnapi'], inputs: ['x=1x3x48x192'] });
    const rows = judgeCompatBudgets(config, [{ file: 'inspect.json', doc }]);
    expect(rows.map((r) => [r.status, r.outcome])).toEqual([['fail', 'failure'], ['fail', 'failure']]);
    expect(rows[0].value).toBe(10);
  });

  it('no inspect document: not judged, with the command to run', () => {
    const config = parseConfig(yml('      compat.nnapi.coverage: 90%\n'), 'edgeml.yml');
    expect(judgeCompatBudgets(config, [])[0]).toMatchObject({ status: 'not judged', outcome: 'failure', note: expect.stringMatching(/run edgeml inspect --json/) });
  });

  it.each([
    ['      compat.nnpai.coverage: 90%\n', /edgeml\.yml:7:7: .*compat\.nnpai\.coverage/],
    ['      compat.nnapi.partitions: one\n', /edgeml\.yml:7:32: .*compat\.nnapi\.partitions/],
    ['      compat.nnapi.coverage: 120%\n', /edgeml\.yml:7:7: budgets\[0\]\.limits\.compat\.nnapi\.coverage: expected a fraction/],
  ])('a bad compat limit names the file, line and key: %j', (limits, message) => {
    expect(() => parseConfig(yml(limits), 'edgeml.yml')).toThrow(message);
  });
});

describe('the PR report: a row per target and the change against base', () => {
  it('names the op this PR adds that a target does not support', async () => {
    const base = await runInspect({ model: MODELS.digits, targets: ['coreml', 'tensorrt'] });
    // The head model: digits with a HardSigmoid after its logits, which Core ML's table lacks.
    const model = loadModel(MODELS.digits);
    const g = model.graph!;
    const out = g.output[0].name;
    g.node.push(make.node({ name: 'gate', op_type: 'HardSigmoid', input: [`${out}_pre`], output: [out] }));
    for (const n of g.node.slice(0, -1)) n.output = n.output.map((o) => (o === out ? `${out}_pre` : o));
    const headFile = join(tempDir(), 'head.onnx');
    saveModel(model, headFile);
    const head = await runInspect({ model: headFile, targets: ['coreml', 'tensorrt'] });
    const md = compatMarkdown(head, base);
    expect(md).toMatch(/\| coreml +\| ❌ no +\| 5\/6 /);
    expect(md).toMatch(/adds 1× HardSigmoid &#40;op&#45;missing&#41; that coreml does not support; no longer runs whole/);
    expect(md).toMatch(/\| tensorrt +\| ✅ yes .*\| unchanged +\|/);
  });

  it('escapes names from a document (it may come from a fork)', async () => {
    const doc = await runInspect({ model: MODELS.digits, targets: ['tensorrt'] });
    doc.model.name = '<img src=x onerror=alert(1)>';
    expect(compatMarkdown(doc)).not.toMatch(/<img/);
    writeFileSync(join(tempDir(), 'x.json'), JSON.stringify(doc));
  });
});
