import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng } from '../src/tensors/index.js';
import { evaluate } from '../src/eval/index.js';
import { DataType, floatValues, loadModel, num, type ModelProto } from '../src/model/index.js';
import { manifestProblem, quantizeBias, roundHalfEven, scaleZeroPoint, quantizeWeights } from '../src/optimize/index.js';
import { DIGITS, MODELS, edgeml, tempDir } from './helpers.js';
import { writeNpy } from './npy.js';
import { resource, tool } from './tools.js';

// ONNX's reference checker (Debian python3-onnx), run on every ONNX artifact where it is installed.
// Debian's python3 (where python3-onnx installs), not another one earlier on the PATH.
const PYTHON = tool(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', 'python3');
const ONNX_CHECKER = resource(!!PYTHON && spawnSync(PYTHON, ['-c', 'import onnx']).status === 0, "python3's onnx module (the reference ONNX checker)", 'python3-onnx') ? PYTHON : null;

const CALIB = join(DIGITS, 'calib_inputs.npy');
const TEST_X = join(DIGITS, 'test_inputs.npy');
const TEST_Y = join(DIGITS, 'test_labels.npy');

function manifestOf(dir: string) {
  const doc = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  expect(manifestProblem(doc)).toBeNull();
  return doc;
}

function init(model: ModelProto, name: string) {
  return model.graph!.initializer.find((t) => t.name === name)!;
}

function randomNpy(file: string, shape: number[], seed = 3): void {
  const next = rng(seed);
  writeNpy(file, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next), shape);
}

describe('quantization arithmetic (ORT conventions)', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });
  it('includes 0 in the range; symmetric int8 uses ±127 and zero point 0', () => {
    expect(scaleZeroPoint(1, 3, { qmin: 0, qmax: 255 }, false)).toEqual({ scale: Math.fround(3 / 255), zeroPoint: 0 });
    const asym = scaleZeroPoint(-1, 3, { qmin: 0, qmax: 255 }, false);
    expect(asym.scale).toBeCloseTo(4 / 255, 7);
    expect(asym.zeroPoint).toBe(64); // round(0 - (-1)/(4/255)) = round(63.75)
    expect(scaleZeroPoint(-2, 1, { qmin: -127, qmax: 127 }, true)).toEqual({ scale: Math.fround(4 / 254), zeroPoint: 0 });
    expect(scaleZeroPoint(0, 0, { qmin: 0, qmax: 255 }, false)).toEqual({ scale: 1, zeroPoint: 0 });
  });
  it('quantizes weights per channel and bias as int32 with scale s_in * s_w', () => {
    const { q, scales } = quantizeWeights(Float32Array.of(1, -0.5, 0.1, 2, -4, 1), [2, 3], 0);
    expect(Array.from(scales)).toEqual([Math.fround(2 / 254), Math.fround(8 / 254)]);
    expect(Array.from(q)).toEqual([127, -64, 13, 64, -127, 32]);
    const b = quantizeBias(Float32Array.of(0.5, -1), 0.1, scales);
    expect(b.scales[0]).toBeCloseTo(0.1 * scales[0], 9);
    expect(b.q[1]).toBe(Math.round(-1 / b.scales[1]));
  });
});

describe('edgeml optimize', () => {
  it('makes all five targets of the digits MLP, validated, with a manifest that matches its schema', async () => {
    const out = tempDir();
    const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized,ort-format,fp16,int8-dynamic,int8-static', '--out', out, '--calibration', `pixels=${CALIB}`]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const m = manifestOf(out);
    expect(m.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.validation).toMatchObject({ inputs: 'calibration', samples: 200 });
    expect(m.artifacts.map((a: { target: string }) => a.target)).toEqual(['ort-optimized', 'ort-format', 'fp16', 'int8-dynamic', 'int8-static']);
    const source = statSync(MODELS.digits).size;
    for (const a of m.artifacts) {
      expect(a.status).toBe('ok');
      const bytes = readFileSync(join(out, a.path));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
      expect(bytes.length).toBe(a.bytes);
      expect(a.runtime).toEqual({ name: 'onnxruntime', version: '1.30.0' });
      // int8 kernels differ by CPU (VNNI or not, reduce_range): 0.9988 was seen on an AMD EPYC without VNNI.
      expect(a.fidelity.cosine).toBeGreaterThan(a.target.startsWith('int8') ? 0.998 : 0.999);
      expect(a.fidelity.top1Agreement).toBeGreaterThan(0.99);
    }
    const by = Object.fromEntries(m.artifacts.map((a: { target: string }) => [a.target, a]));
    expect(readFileSync(join(out, by['ort-format'].path)).toString('latin1', 4, 8)).toBe('ORTM');
    expect(by.fp16.precision).toBe('fp16');
    expect(by.fp16.bytes).toBeLessThanOrEqual(0.52 * source);
    expect(by['int8-static'].settings).toMatchObject({ format: 'QDQ', calibrationMethod: 'minmax', weightType: 'int8' });
    expect(readdirSync(out).filter((f) => f.startsWith('.edgeml-'))).toEqual([]);
    // ONNX's own checker (full check, with shape inference) accepts every ONNX artifact.
    const onnxFiles = m.artifacts.filter((a: { format: string }) => a.format === 'onnx').map((a: { path: string }) => join(out, a.path));
    if (ONNX_CHECKER) {
      const check = spawnSync(ONNX_CHECKER, ['-c', 'import sys, onnx\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)', ...onnxFiles], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }

    // Accuracy on the labelled test set: fp16 unchanged, int8 within 1 point of fp32.
    const top1 = async (model: string) => (await evaluate({ model, inputs: { pixels: TEST_X }, labels: TEST_Y, metrics: ['top1'], batchSize: 64 })).metrics.top1!;
    const fp32 = await top1(MODELS.digits);
    expect(fp32).toBeCloseTo(0.9704, 3);
    expect(await top1(join(out, by.fp16.path))).toBe(fp32);
    expect(Math.abs((await top1(join(out, by['int8-static'].path))) - fp32)).toBeLessThanOrEqual(0.01);
    expect(Math.abs((await top1(join(out, by['int8-dynamic'].path))) - fp32)).toBeLessThanOrEqual(0.01);

    // The QDQ artifact: int8 weights, int32 bias whose scale is s_input * s_weight.
    const q = loadModel(join(out, by['int8-static'].path));
    const g = q.graph!;
    expect(g.node.some((n) => n.op_type === 'QuantizeLinear')).toBe(true);
    expect(g.initializer.some((t) => t.data_type === DataType.FLOAT && t.dims.length === 2)).toBe(false);
    const biasDq = g.node.find((n) => n.op_type === 'DequantizeLinear' && init(q, n.input[0])?.data_type === DataType.INT32)!;
    const gemm = g.node.find((n) => n.input[2] === biasDq.output[0])!;
    const wDq = g.node.find((n) => n.output[0] === gemm.input[1])!;
    const xDq = g.node.find((n) => n.output[0] === gemm.input[0])!;
    expect(init(q, wDq.input[0]).data_type).toBe(DataType.INT8);
    const sIn = floatValues(init(q, xDq.input[1]))[0];
    const sW = floatValues(init(q, wDq.input[1]))[0];
    expect(floatValues(init(q, biasDq.input[1]))[0]).toBeCloseTo(Math.fround(sIn * sW), 12);
  });

  it('quantizes Conv weights per output channel (PP-OCR det, QDQ with ORT\'s axis-capable Q/DQ below opset 13)', () => {
    const dir = tempDir();
    randomNpy(join(dir, 'x.npy'), [2, 3, 64, 64]);
    const out = join(dir, 'out');
    const r = edgeml(['optimize', '--model', MODELS.ocrDet, '--target', 'int8-static', '--out', out, '--calibration', `x=${join(dir, 'x.npy')}`, '--calibration-method', 'percentile', '--min-cosine', '0', '--min-top1-agreement', '0']);
    expect(r.status, r.stderr).toBe(0);
    const a = manifestOf(out).artifacts[0];
    expect(a.settings).toMatchObject({ calibrationMethod: 'percentile', percentile: 99.999, qdqDomain: 'com.microsoft' });
    // Depthwise convs and per-channel scales make PP-OCR det's ratio worse than a weight-heavy net's.
    expect(a.bytes).toBeLessThan(0.35 * statSync(MODELS.ocrDet).size);
    const q = loadModel(join(out, a.path));
    const conv = q.graph!.node.find((n) => n.op_type === 'Conv')!;
    const wDq = q.graph!.node.find((n) => n.output[0] === conv.input[1])!;
    const w = init(q, wDq.input[0]);
    expect(w.data_type).toBe(DataType.INT8);
    expect(num(wDq.attribute.find((x) => x.name === 'axis')!.i)).toBe(0);
    expect(init(q, wDq.input[1]).dims.map(num)).toEqual([num(w.dims[0])]);
    // PP-OCR cls is opset 9: ORT would fuse into an opset-10 op it then rejects, so the target says so.
    const old = edgeml(['optimize', '--model', MODELS.ocrCls, '--target', 'int8-static', '--out', join(dir, 'cls'), '--calibration', `x=${join(dir, 'x.npy')}`]);
    expect(old.status).toBe(2);
    expect(old.stderr).toMatch(/int8-static needs opset 10 or newer, the model has opset 9/);
  });

  it('reports a target it cannot make with the node, still makes the others, and exits 2', () => {
    const out = tempDir();
    const r = edgeml(['optimize', '--model', MODELS.vadLegacy, '--target', 'fp16,ort-optimized', '--out', out,
      '--input', 'input=1x512', '--input', 'h=2x1x64', '--input', 'c=2x1x64']);
    expect(r.status).toBe(2);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^edgeml: error: fp16: node '.+' \(If\) holds sub-graphs/);
    const m = manifestOf(out);
    expect(m.artifacts[0]).toMatchObject({ target: 'fp16', status: 'failed', failure: 'input' });
    expect(m.artifacts[0].node).toBeTruthy();
    expect(m.artifacts[1]).toMatchObject({ target: 'ort-optimized', status: 'ok' });
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'silero_vad_legacy.opt.onnx']);
  });

  it('keeps in float32 the nodes whose constants float16 cannot hold (PP-OCR det BatchNorm variances ~1e8)', () => {
    const out = tempDir();
    const r = edgeml(['optimize', '--model', MODELS.ocrDet, '--target', 'fp16', '--out', out, '--input', 'x=1x3x64x64']);
    expect(r.status, r.stderr).toBe(0);
    const a = manifestOf(out).artifacts[0];
    expect(a.notes.nodesKeptForRange).toBeGreaterThanOrEqual(1);
    expect(a.bytes).toBeLessThan(0.52 * statSync(MODELS.ocrDet).size);
    const q = loadModel(join(out, a.path));
    const bn = q.graph!.node.filter((n) => n.op_type === 'BatchNormalization');
    const variances = bn.map((n) => init(q, n.input[4]));
    expect(variances.some((v) => v.data_type === DataType.FLOAT && Math.max(...floatValues(v)) > 65504)).toBe(true);
    expect(variances.some((v) => v.data_type === DataType.FLOAT16)).toBe(true);
  });

  it('reuses calibration ranges from --calibration-cache while model, data and settings are the same', () => {
    const dir = tempDir();
    const cache = join(dir, 'cache/calibration.json');
    const run = (out: string, extra: string[] = []) => {
      const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'int8-static', '--out', join(dir, out), '--calibration', `pixels=${CALIB}`, '--calibration-cache', cache, ...extra]);
      expect(r.status, r.stderr).toBe(0);
      return manifestOf(join(dir, out)).artifacts[0];
    };
    const first = run('a');
    expect(first.settings.calibrationCached).toBe(false);
    expect(Object.keys(JSON.parse(readFileSync(cache, 'utf8')).ranges).length).toBeGreaterThan(2);
    const second = run('b');
    expect(second.settings.calibrationCached).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(run('c', ['--calibration-method', 'percentile']).settings.calibrationCached).toBe(false);
  });

  it('ships nothing below the fidelity floor and exits 1', () => {
    const out = tempDir();
    const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'int8-static', '--out', out, '--calibration', `pixels=${CALIB}`, '--min-cosine', '1', '--abs-tolerance', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^edgeml: int8-static: fidelity below the floor: cosine 0\.99\d+ < floor 1; not shipped$/m);
    expect(manifestOf(out).artifacts[0]).toMatchObject({ status: 'failed', failure: 'fidelity' });
    expect(readdirSync(out)).toEqual(['manifest.json']);
  });

  it('rejects bad input with exit 2 and one line naming the file or flag, writing nothing', () => {
    const dir = tempDir();
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    const f64 = join(dir, 'f64.npy');
    writeNpy(f64, new Float64Array(64 * 4), [4, 64]);
    const wrongShape = join(dir, 'shape.npy');
    writeNpy(wrongShape, new Float32Array(32 * 4), [4, 32]);
    const notDir = join(dir, 'file');
    writeFileSync(notDir, '');
    const cases: Array<[string[], RegExp]> = [
      [['--model', junk, '--target', 'fp16'], /--model .*junk\.onnx: not an ONNX model/],
      [['--model', MODELS.digits, '--target', 'int4'], /--target int4: unknown target; use one or more of ort-optimized/],
      [['--model', MODELS.digits, '--target', 'int8-static', '--calibration', `pixels=${f64}`], /f64\.npy: dtype 'f8' does not match input 'pixels' \(float32\)/],
      [['--model', MODELS.digits, '--target', 'int8-static', '--calibration', `pixels=${wrongShape}`], /shape\.npy: shape \[4, 32\] does not fit input 'pixels'/],
      [['--model', MODELS.digits, '--target', 'int8-static', '--calibration', `image=${CALIB}`], /--calibration image=.*: the model has no input 'image'/],
    ];
    for (const [args, msg] of cases) {
      const out = join(dir, `out-${cases.findIndex((c) => c[0] === args)}`);
      const r = edgeml(['optimize', ...args, '--out', out]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect(existsSync(out), args.join(' ')).toBe(false);
    }
    const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'fp16', '--out', join(notDir, 'sub')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out .*file\/sub: cannot write there \(\w+\); give a writable folder/);
  });
});

describe('edgeml eval', () => {
  it('scores the digits MLP: metrics.top1 matches its README, with fidelity against a reference', () => {
    const dir = tempDir();
    const json = join(dir, 'eval.json');
    const r = edgeml(['eval', '--model', MODELS.digits, '--inputs', TEST_X, '--labels', TEST_Y, '--metric', 'top1,top5', '--reference', MODELS.digits, '--json', json]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.samples).toBe(540);
    expect(doc.metrics.top1).toBeCloseTo(0.9704, 3);
    expect(doc.metrics.top5).toBeGreaterThanOrEqual(doc.metrics.top1);
    expect(doc.fidelity).toMatchObject({ cosine: 1, maxAbsError: 0, top1Agreement: 1, samples: 540 });
    expect(r.stdout).toMatch(/top1: 97\.04%/);
  });

  it('computes mae and rmse against targets shaped like the output', async () => {
    const dir = tempDir();
    // Targets = the model's own outputs + 0.5 everywhere: mae = rmse = 0.5.
    const { calibrationSet, inputMetaOf, runOutputs } = await import('../src/tensors/index.js');
    const set = calibrationSet(await inputMetaOf(MODELS.digits), { pixels: TEST_X }, 540);
    const out = (await runOutputs(MODELS.digits, set.batches))[0];
    const y = Object.values(out)[0];
    writeNpy(join(dir, 'y.npy'), y.data.map((v) => v + 0.5), [...y.dims]);
    const res = await evaluate({ model: MODELS.digits, inputs: { pixels: TEST_X }, labels: join(dir, 'y.npy'), metrics: ['mae', 'rmse'], batchSize: 100 });
    expect(res.metrics.mae).toBeCloseTo(0.5, 5);
    expect(res.metrics.rmse).toBeCloseTo(0.5, 5);
  });

  it('names the labels file when it does not fit the inputs (exit 2)', () => {
    const dir = tempDir();
    writeNpy(join(dir, 'y.npy'), new BigInt64Array(10), [10]);
    const r = edgeml(['eval', '--model', MODELS.digits, '--inputs', TEST_X, '--labels', join(dir, 'y.npy'), '--metric', 'top1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--labels .*y\.npy: holds 10 labels for 540 input samples/);
    const bad = edgeml(['eval', '--model', MODELS.digits, '--inputs', TEST_X, '--labels', TEST_Y, '--metric', 'f1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--metric f1: unknown metric/);
  });
});
