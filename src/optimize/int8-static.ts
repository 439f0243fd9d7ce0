// int8-static: QDQ format calibrated on the user's inputs. Activations uint8 (asymmetric, the fast
// U8S8 path on x86), weights symmetric int8 (per output channel for Conv), Conv/Gemm bias int32
// with scale s_input * s_weight. ORT fuses the DQ -> op -> Q patterns into integer kernels.
import { join } from 'node:path';
import {
  AttrType, DataType, floatTensor, floatValues, foldConstants, int32Tensor, int8Tensor, floatAttr, allGraphs, make, materializeConstants, dropUnused, nameFactory, num,
  onnxOpset, requireOpset, saveModel, uint8Tensor, type NodeProto, type TensorProto,
} from '../model/index.js';
import { calibrate, readCalibrationCache, writeCalibrationCache } from './calibrate.js';
import { UINT8, quantizeBias, quantizeValue, quantizeWeights, scaleZeroPoint, type QParams } from './quant.js';
import { TargetError, type TargetInput, type TargetOutput } from './types.js';

/** Op type -> indices of inputs that carry activations to quantize. */
const ACTIVATION_INPUTS: Record<string, number[] | 'all'> = {
  Conv: [0], MatMul: [0, 1], Gemm: [0], Add: [0, 1], Mul: [0, 1], Relu: [0], Clip: [0], LeakyRelu: [0],
  MaxPool: [0], AveragePool: [0], GlobalAveragePool: [0], Concat: 'all', Sigmoid: [0], Resize: [0],
  Transpose: [0], Reshape: [0], Flatten: [0], Squeeze: [0], Unsqueeze: [0],
};
/** Ops whose constant weight input (index 1) becomes int8. */
const WEIGHTED = new Set(['Conv', 'MatMul', 'Gemm']);

export async function int8Static(t: TargetInput): Promise<TargetOutput> {
  if (t.samples.source !== 'calibration') {
    throw new TargetError('int8-static needs representative inputs: give --calibration NAME=file.npy for each model input');
  }
  const model = t.model;
  // ORT fuses DQ -> Conv -> Q into the opset-10 QLinearConv even in an older model, which it then
  // rejects; raising the opset is not safe either (Slice, Upsample and others changed at 10).
  if (onnxOpset(model) < 10) throw new TargetError(`int8-static needs opset 10 or newer, the model has opset ${onnxOpset(model)}; re-export it with a newer opset`);
  foldConstants(model);
  const g = model.graph!;
  // Weights reached through Transpose/Reshape/Cast become initializers, on either side of a MatMul.
  materializeConstants(g, allGraphs(model), onnxOpset(model), (n) => (WEIGHTED.has(n.op_type) ? (n.op_type === 'MatMul' ? [0, 1] : [1]) : []));
  const inits = new Map(g.initializer.map((x) => [x.name!, x]));
  const isFloatInit = (v: string) => inits.get(v)?.data_type === DataType.FLOAT;
  const excluded = (n: NodeProto) => t.settings.excludeOps.includes(n.op_type) || (!!n.name && t.settings.excludeNodes.includes(n.name));
  for (const name of t.settings.excludeNodes) {
    if (!g.node.some((n) => n.name === name)) throw new TargetError(`--exclude-node ${name}: the model has no node of that name`);
  }
  const chosen = g.node.filter((n) => (!n.domain || n.domain === 'ai.onnx') && ACTIVATION_INPUTS[n.op_type] && !excluded(n))
    .filter((n) => !WEIGHTED.has(n.op_type) || n.op_type === 'MatMul' || isFloatInit(n.input[1]));
  /** A MatMul whose constant is on the left (W·x): that weight becomes uint8, as ORT's QLinearMatMul takes it. */
  const leftWeight = (n: NodeProto) => n.op_type === 'MatMul' && isFloatInit(n.input[0]) && !inits.has(n.input[1]);
  if (!chosen.some((n) => WEIGHTED.has(n.op_type))) {
    throw new TargetError('int8-static: the model has no Conv, MatMul or Gemm to quantize (or all are excluded); use fp16 or ort-optimized');
  }
  const activationInputs = (n: NodeProto) => {
    const idx = ACTIVATION_INPUTS[n.op_type];
    return n.input.filter((x, i) => x && !inits.has(x) && (idx === 'all' || idx.includes(i)));
  };
  const cached = t.calibrationCache ? readCalibrationCache(t.calibrationCache.file, t.calibrationCache.key) : undefined;
  const ranges = cached ?? (await calibrate(model, t.samples.batches, t.settings.calibrationMethod, t.settings.percentile, (types) => {
    const want = new Set<string>();
    for (const n of chosen) {
      for (const x of activationInputs(n)) if (types.get(x) === 'float32') want.add(x);
      if (n.output[0] && types.get(n.output[0]) === 'float32') want.add(n.output[0]);
    }
    return want;
  })).ranges;
  if (t.calibrationCache && !cached) writeCalibrationCache(t.calibrationCache.file, t.calibrationCache.key, ranges);

  // Below opset 13 the standard Q/DQ have no axis: use ORT's com.microsoft Q/DQ, which do.
  const contrib = onnxOpset(model) < 13;
  const domain = contrib ? 'com.microsoft' : '';
  if (contrib) requireOpset(model, 'com.microsoft', 1);
  const fresh = nameFactory(model);
  const newInits: TensorProto[] = [];
  const axisAttr = (axis: number) => make.attribute({ name: 'axis', type: AttrType.INT, i: axis });
  const qdq = (value: string, p: QParams, out: NodeProto[]): string => {
    const s = fresh(`${value}_scale`);
    const z = fresh(`${value}_zero_point`);
    newInits.push(floatTensor(s, [], Float32Array.of(p.scale)), uint8Tensor(z, [], Uint8Array.of(p.zeroPoint)));
    const q = fresh(`${value}_quantized`);
    const dq = fresh(`${value}_dequantized`);
    out.push(make.node({ op_type: 'QuantizeLinear', domain, name: fresh(`${value}_QuantizeLinear`), input: [value, s, z], output: [q] }));
    out.push(make.node({ op_type: 'DequantizeLinear', domain, name: fresh(`${value}_DequantizeLinear`), input: [q, s, z], output: [dq] }));
    return dq;
  };
  const params = new Map<string, QParams>();
  for (const [name, r] of ranges) params.set(name, scaleZeroPoint(r.min, r.max, UINT8, false));

  /** A constant as a quantized initializer behind a DequantizeLinear. */
  const dqConst = (name: string, q: TensorProto, scales: Float32Array, zp: TensorProto, axis: number | null, out: NodeProto[]): string => {
    const s = fresh(`${name}_scale`);
    newInits.push(q, zp, floatTensor(s, scales.length === 1 && axis === null ? [] : [scales.length], scales));
    const dq = fresh(`${name}_dequantized`);
    out.push(make.node({ op_type: 'DequantizeLinear', domain, name: fresh(`${name}_DequantizeLinear`), input: [q.name!, s, zp.name!], output: [dq], attribute: axis === null ? [] : [axisAttr(axis)] }));
    return dq;
  };

  /** A weight read by several nodes is quantized once: its DequantizeLinear output and scales. */
  const sharedWeights = new Map<string, { dq: string; scales: Float32Array }>();
  let sharedUses = 0;
  /** Constants of Add, Mul and left-hand MatMul weights as uint8, once each. */
  const sharedUint8 = new Map<string, string>();
  const renamed = new Map<string, string>();
  const nodes: NodeProto[] = [];
  for (const i of g.input) if (params.has(i.name)) renamed.set(i.name, qdq(i.name, params.get(i.name)!, nodes));
  const chosenSet = new Set(chosen);
  let quantized = 0;
  for (const n of g.node) {
    n.input = n.input.map((x) => renamed.get(x) ?? x);
    if (chosenSet.has(n)) {
      quantized++;
      if (WEIGHTED.has(n.op_type) && isFloatInit(n.input[1])) quantizeWeightAndBias(n);
      else if (leftWeight(n)) n.input[0] = constantAsUint8(n.input[0]);
      else if (n.op_type === 'Add' || n.op_type === 'Mul') {
        n.input = n.input.map((x) => (isFloatInit(x) ? constantAsUint8(x) : x));
      }
    }
    nodes.push(n);
    for (const o of n.output) if (params.has(o)) renamed.set(o, qdq(o, params.get(o)!, nodes));
  }

  function quantizeWeightAndBias(n: NodeProto): void {
    const w = inits.get(n.input[1])!;
    const dims = w.dims.map(num);
    // Conv: per output channel (axis 0). MatMul/Gemm: per tensor, as ORT's quantizer does by default.
    const axis = n.op_type === 'Conv' ? 0 : null;
    const key = `${w.name}|${axis}`;
    let shared = sharedWeights.get(key);
    if (shared) sharedUses++;
    else {
      const { q, scales } = quantizeWeights(floatValues(w), dims, axis);
      const qName = fresh(`${w.name}_quantized`);
      const channels = axis === null ? 1 : dims[0];
      const zp = int8Tensor(fresh(`${w.name}_zero_point`), axis === null ? [] : [channels], new Int8Array(channels));
      shared = { dq: dqConst(w.name!, int8Tensor(qName, dims, q), scales, zp, axis, nodes), scales };
      sharedWeights.set(key, shared);
    }
    const { scales } = shared;
    n.input[1] = shared.dq;
    const bias = n.input[2];
    const inScale = params.get(originalName(n.input[0]))?.scale;
    // Gemm's C may be a matrix or scaled by beta: only a plain per-output vector becomes int32.
    const plainBias = bias && isFloatInit(bias) && inits.get(bias)!.dims.length === 1
      && (n.op_type !== 'Gemm' || (floatAttr(n, 'beta', 1) === 1 && floatAttr(n, 'alpha', 1) === 1));
    if (plainBias && inScale !== undefined) {
      const b = floatValues(inits.get(bias)!);
      const bq = quantizeBias(b, inScale, scales);
      const bzp = int32Tensor(fresh(`${bias}_zero_point`), [b.length], new Int32Array(b.length));
      const bqName = fresh(`${bias}_quantized`);
      n.input[2] = dqConst(bias, int32Tensor(bqName, [b.length], bq.q), bq.scales, bzp, 0, nodes);
    }
  }

  function constantAsUint8(name: string): string {
    const hit = sharedUint8.get(name);
    if (hit) {
      sharedUses++;
      return hit;
    }
    const dq = uint8Constant(name);
    sharedUint8.set(name, dq);
    return dq;
  }

  function uint8Constant(name: string): string {
    const v = floatValues(inits.get(name)!);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    const p = scaleZeroPoint(lo, hi, UINT8, false);
    const q = Uint8Array.from(v, (x) => quantizeValue(x, p, UINT8));
    const dims = inits.get(name)!.dims.map(num);
    const zp = uint8Tensor(fresh(`${name}_zero_point`), [], Uint8Array.of(p.zeroPoint));
    return dqConst(name, uint8Tensor(fresh(`${name}_quantized`), dims, q), Float32Array.of(p.scale), zp, null, nodes);
  }

  function originalName(v: string): string {
    for (const [k, dq] of renamed) if (dq === v) return k;
    return v;
  }

  g.node = nodes;
  g.initializer.push(...newInits);
  // Weights now live as int8 initializers: drop float ones nobody reads any more.
  dropUnused(allGraphs(model), g, new Set());
  g.value_info = [];
  const file = join(t.dir, `${t.stem}.int8.onnx`);
  saveModel(model, file);
  return {
    file,
    precision: 'int8',
    format: 'onnx',
    settings: {
      format: 'QDQ',
      calibrationMethod: t.settings.calibrationMethod,
      ...(t.settings.calibrationMethod === 'percentile' ? { percentile: t.settings.percentile } : {}),
      calibrationSamples: t.samples.samples,
      calibrationCached: !!cached,
      activationType: 'uint8',
      weightType: 'int8',
      weightSymmetric: true,
      perChannel: ['Conv'],
      biasType: 'int32',
      qdqDomain: contrib ? 'com.microsoft' : 'ai.onnx',
      excludeOps: t.settings.excludeOps,
      excludeNodes: t.settings.excludeNodes,
    },
    notes: { nodesQuantized: quantized, activationsQuantized: params.size, sharedWeightUses: sharedUses },
  };
}
