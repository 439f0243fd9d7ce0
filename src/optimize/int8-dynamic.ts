// int8-dynamic: MatMul/Gemm weights stored as int8; activations quantized at run time with ORT's
// integer kernels: DynamicQuantizeLinear (uint8) -> MatMulInteger (U8S8) -> Cast -> Mul by
// s_activation * s_weight (ORT fuses the tail into MatMulIntegerToFloat). For transformers and RNNs.
import { join } from 'node:path';
import {
  AttrType, DataType, floatAttr, floatTensor, floatValues, foldConstants, int8Tensor, intAttr, make, nameFactory, num,
  allGraphs, onnxOpset, saveModel, type NodeProto, type TensorProto,
} from '../model/index.js';
import { quantizeWeights } from './quant.js';
import { TargetError, type TargetInput, type TargetOutput } from './types.js';

function transpose2d(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c];
  return out;
}

export async function int8Dynamic(t: TargetInput): Promise<TargetOutput> {
  const model = t.model;
  foldConstants(model);
  const g = model.graph!;
  // DynamicQuantizeLinear is opset 11; raising an older model's opset could change its other ops.
  if (onnxOpset(model) < 11) throw new TargetError(`int8-dynamic needs opset 11 or newer, the model has opset ${onnxOpset(model)}; re-export it with a newer opset`);
  const inits = new Map(g.initializer.map((x) => [x.name!, x]));
  const excluded = (n: NodeProto) => t.settings.excludeOps.includes(n.op_type) || (!!n.name && t.settings.excludeNodes.includes(n.name));
  const weight2d = (name: string) => {
    const w = inits.get(name);
    return w && w.data_type === DataType.FLOAT && w.dims.length === 2 ? w : undefined;
  };
  const fresh = nameFactory(model);
  const newInits: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  const attrInt = (name: string, i: number) => make.attribute({ name, type: AttrType.INT, i });
  let quantized = 0;
  /** Activation quantized once, shared by every MatMul that reads it. */
  const dynamicQ = new Map<string, [string, string, string]>();

  for (const n of g.node) {
    const gemmOk = n.op_type === 'Gemm' && intAttr(n, 'transA', 0) === 0 && (n.input.length < 3 || floatAttr(n, 'beta', 1) === 1);
    const w = (n.op_type === 'MatMul' || gemmOk) && !excluded(n) && (!n.domain || n.domain === 'ai.onnx') ? weight2d(n.input[1]) : undefined;
    if (!w) {
      nodes.push(n);
      continue;
    }
    quantized++;
    let dims = w.dims.map(num);
    let values = floatValues(w);
    if (n.op_type === 'Gemm' && intAttr(n, 'transB', 0) === 1) {
      values = transpose2d(values, dims[0], dims[1]);
      dims = [dims[1], dims[0]];
    }
    const alpha = n.op_type === 'Gemm' ? floatAttr(n, 'alpha', 1) : 1;
    // Per output column (axis 1 of [K, N]): MatMulInteger takes a per-column weight zero point.
    const { q, scales } = quantizeWeights(values, dims, 1);
    const wq = fresh(`${w.name}_quantized`);
    const wzp = fresh(`${w.name}_zero_point`);
    const ws = fresh(`${w.name}_scale`);
    newInits.push(int8Tensor(wq, dims, q), int8Tensor(wzp, [dims[1]], new Int8Array(dims[1])), floatTensor(ws, [dims[1]], scales.map((s) => s * alpha)));

    const x = n.input[0];
    let dq = dynamicQ.get(x);
    if (!dq) {
      dq = [fresh(`${x}_quantized`), fresh(`${x}_scale`), fresh(`${x}_zero_point`)];
      nodes.push(make.node({ op_type: 'DynamicQuantizeLinear', name: fresh(`${x}_DynamicQuantizeLinear`), input: [x], output: dq }));
      dynamicQ.set(x, dq);
    }
    const base = n.name || n.output[0];
    const acc = fresh(`${base}_int32`);
    const accF = fresh(`${base}_float`);
    const scale = fresh(`${base}_output_scale`);
    const out = n.op_type === 'Gemm' && n.input[2] ? fresh(`${base}_no_bias`) : n.output[0];
    nodes.push(
      make.node({ op_type: 'MatMulInteger', name: fresh(`${base}_MatMulInteger`), input: [dq[0], wq, dq[2], wzp], output: [acc] }),
      make.node({ op_type: 'Cast', name: fresh(`${base}_Cast`), input: [acc], output: [accF], attribute: [attrInt('to', DataType.FLOAT)] }),
      make.node({ op_type: 'Mul', name: fresh(`${base}_scale_Mul`), input: [dq[1], ws], output: [scale] }),
      make.node({ op_type: 'Mul', name: fresh(`${base}_Mul`), input: [accF, scale], output: [out] }),
    );
    if (out !== n.output[0]) nodes.push(make.node({ op_type: 'Add', name: fresh(`${base}_bias_Add`), input: [out, n.input[2]], output: [n.output[0]] }));
  }
  if (!quantized) {
    throw new TargetError('int8-dynamic: the model has no MatMul or Gemm with constant 2-D weights to quantize; use int8-static for conv nets');
  }
  g.node = nodes;
  g.initializer.push(...newInits);
  const used = new Set(allGraphs(model).flatMap((sub) => sub.node.flatMap((x) => x.input)));
  for (const o of g.output) used.add(o.name);
  g.initializer = g.initializer.filter((x) => used.has(x.name!));
  g.input = g.input.filter((i) => !inits.has(i.name) || used.has(i.name));
  g.value_info = [];
  const file = join(t.dir, `${t.stem}.int8-dynamic.onnx`);
  saveModel(model, file);
  return {
    file,
    precision: 'mixed',
    format: 'onnx',
    settings: { ops: ['MatMul', 'Gemm'], activationType: 'uint8', weightType: 'int8', weightSymmetric: true, perChannel: true, excludeOps: t.settings.excludeOps, excludeNodes: t.settings.excludeNodes },
    notes: { nodesQuantized: quantized },
  };
}
