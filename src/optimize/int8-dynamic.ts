// int8-dynamic: every MatMul/Gemm whose weight is constant (an initializer, or one reached through
// Transpose/Reshape/Cast/...) gets int8 weights; activations are quantized at run time.
// - Weight on the right (x·W, Gemm): ORT's com.microsoft DynamicQuantizeMatMul, per output column,
//   with the following bias Add folded in. It is the kernel ORT's own graph optimizer fuses the
//   DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul chain into, needs no ai.onnx opset 11,
//   and runs the same whether or not the session optimizes the graph.
// - Weight on the left (W·x): DynamicQuantizeLinear(x) -> MatMulInteger(W as uint8, x) -> Cast ->
//   Mul by s_x * s_W[row] (per output row).
// The weight's float initializer and the nodes that shaped it are dropped; a weight shared by
// several MatMuls is quantized once. For transformers and RNNs.
import { join } from 'node:path';
import {
  AttrType, DataType, allGraphs, attr, constantValues, dropUnused, floatAttr, floatTensor, int8Tensor, intAttr, make, nameFactory,
  foldConstants, onnxOpset, requireOpset, saveModel, transposeValues, uint8Tensor, type ConstantValue, type NodeProto, type TensorProto,
} from '../model/index.js';
import { INT8_REDUCED, quantizeWeights } from './quant.js';
import { TargetError, type TargetInput, type TargetOutput } from './types.js';

const MS = 'com.microsoft';

export async function int8Dynamic(t: TargetInput): Promise<TargetOutput> {
  const model = t.model;
  foldConstants(model);
  const g = model.graph!;
  const opset = onnxOpset(model);
  const consts = constantValues(g, opset);
  const excluded = (n: NodeProto) => t.settings.excludeOps.includes(n.op_type) || (!!n.name && t.settings.excludeNodes.includes(n.name));
  const weight2d = (name: string | undefined) => {
    const w = name ? consts.get(name) : undefined;
    return w && w.dataType === DataType.FLOAT && w.dims.length === 2 && w.values.length > 0 ? w : undefined;
  };
  const readers = new Map<string, NodeProto[]>();
  for (const sub of allGraphs(model)) for (const n of sub.node) for (const x of n.input) readers.set(x, [...(readers.get(x) ?? []), n]);
  const graphOutputs = new Set(g.output.map((o) => o.name));
  const producer = new Map(g.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const fresh = nameFactory(model);
  const newInits: TensorProto[] = [];
  const shaping = new Set<NodeProto>();
  /** Nodes whose work moved into a quantized kernel (a bias Add, the Transpose after a left-hand product). */
  const absorbed = new Set<NodeProto>();
  const attrInt = (name: string, i: number) => make.attribute({ name, type: AttrType.INT, i });
  const counts = { right: 0, left: 0, gemm: 0, gather: 0, biasFolded: 0, sharedWeights: 0, transposesDropped: 0 };

  /** [K, N] int8 weight with per-column scales, once per (value, layout, alpha). */
  const rightCache = new Map<string, { q: string; scale: string; zp: string }>();
  const rightWeight = (name: string, w: ConstantValue, transposed: boolean, alpha: number) => {
    const key = `${name}|${transposed}|${alpha}`;
    const hit = rightCache.get(key);
    if (hit) {
      counts.sharedWeights++;
      return hit;
    }
    const v = transposed ? transposeValues(w.values, w.dims, [1, 0]) : w;
    const { q, scales } = quantizeWeights(v.values, v.dims, 1, INT8_REDUCED);
    const cols = v.dims[1];
    const names = { q: fresh(`${w.root}_quantized`), scale: fresh(`${w.root}_scale`), zp: fresh(`${w.root}_zero_point`) };
    newInits.push(int8Tensor(names.q, v.dims, q), floatTensor(names.scale, [cols], alpha === 1 ? scales : scales.map((s) => Math.fround(s * alpha))), int8Tensor(names.zp, [cols], new Int8Array(cols)));
    w.chain.forEach((c) => shaping.add(c));
    rightCache.set(key, names);
    return names;
  };
  /**
   * [M, K] weight with per-row scales [M, 1]: for MatMulInteger as uint8 (symmetric int8 + 128,
   * zero point 128: a u8 x u8 product, which does not saturate); for Gather as int8.
   */
  const leftCache = new Map<string, { q: string; scale: string; zp: string }>();
  const leftWeight = (name: string, w: ConstantValue, signed = false) => {
    const key = `${name}|${signed}`;
    const hit = leftCache.get(key);
    if (hit) {
      counts.sharedWeights++;
      return hit;
    }
    const { q, scales } = quantizeWeights(w.values, w.dims, 0);
    const names = { q: fresh(`${w.root}_quantized`), scale: fresh(`${w.root}_scale`), zp: fresh(`${w.root}_zero_point`) };
    newInits.push(signed ? int8Tensor(names.q, w.dims, q) : uint8Tensor(names.q, w.dims, Uint8Array.from(q, (x) => x + 128)), floatTensor(names.scale, [w.dims[0], 1], scales));
    if (!signed) newInits.push(uint8Tensor(names.zp, [], Uint8Array.of(128)));
    w.chain.forEach((c) => shaping.add(c));
    leftCache.set(key, names);
    return names;
  };

  /** A constant 1-D (or [1, N]) bias of `cols` values, for DynamicQuantizeMatMul's bias input. */
  const biasOf = (name: string, cols: number, scale = 1): string | undefined => {
    const b = consts.get(name);
    if (!b || b.dataType !== DataType.FLOAT || b.values.length !== cols || b.dims[b.dims.length - 1] !== cols) return undefined;
    if (b.dims.length === 1 && !b.chain.length && scale === 1) return name;
    const out = fresh(`${b.root}_bias`);
    newInits.push(floatTensor(out, [cols], scale === 1 ? b.values : b.values.map((x) => Math.fround(x * scale))));
    b.chain.forEach((c) => shaping.add(c));
    return out;
  };
  /** The bias Add right after a MatMul (its only reader), when it can move into the kernel. */
  const followingBias = (n: NodeProto, cols: number): { add: NodeProto; bias: string } | undefined => {
    const out = n.output[0];
    const r = readers.get(out) ?? [];
    if (r.length !== 1 || graphOutputs.has(out) || r[0].op_type !== 'Add' || excluded(r[0]) || (r[0].domain && r[0].domain !== 'ai.onnx')) return undefined;
    const other = r[0].input[0] === out ? r[0].input[1] : r[0].input[0];
    const bias = other && other !== out ? biasOf(other, cols) : undefined;
    return bias ? { add: r[0], bias } : undefined;
  };

  /** Swaps the last two axes (and nothing else) of a tensor of that rank. */
  const swapsLastTwo = (t: NodeProto | undefined): boolean => {
    const p = t?.op_type === 'Transpose' && (!t.domain || t.domain === 'ai.onnx') ? attr(t, 'perm')?.ints.map(Number) : undefined;
    return !!p && p.length >= 2 && p.every((v, i) => (i < p.length - 2 ? v === i : v === (i === p.length - 2 ? p.length - 1 : p.length - 2)));
  };
  /** W·x where x = Transpose(z) and the product's only reader transposes it back (a hand-written z·Wᵀ). */
  const transposedLeft = (n: NodeProto): { before: NodeProto; after: NodeProto } | undefined => {
    const before = producer.get(n.input[1]);
    const r = readers.get(n.output[0]) ?? [];
    if (!before || !swapsLastTwo(before) || r.length !== 1 || graphOutputs.has(n.output[0]) || !swapsLastTwo(r[0]) || excluded(r[0])) return undefined;
    const pb = attr(before, 'perm')!.ints.length;
    return attr(r[0], 'perm')!.ints.length === pb ? { before, after: r[0] } : undefined;
  };

  const dynamicQ = new Map<string, [string, string, string]>();
  const quantizedInput = (x: string, nodes: NodeProto[]) => {
    let dq = dynamicQ.get(x);
    if (!dq) {
      dq = [fresh(`${x}_quantized`), fresh(`${x}_scale`), fresh(`${x}_zero_point`)];
      nodes.push(make.node({ op_type: 'DynamicQuantizeLinear', name: fresh(`${x}_DynamicQuantizeLinear`), input: [x], output: dq }));
      dynamicQ.set(x, dq);
    }
    return dq;
  };

  const nodes: NodeProto[] = [];
  let leftSkipped = 0;
  for (const n of g.node) {
    if (absorbed.has(n)) continue;
    const standard = !n.domain || n.domain === 'ai.onnx';
    if (!standard || excluded(n) || !['MatMul', 'Gemm', 'Gather'].includes(n.op_type)) {
      nodes.push(n);
      continue;
    }
    const base = n.name || n.output[0];
    if (n.op_type === 'Gather') {
      const table = intAttr(n, 'axis', 0) === 0 ? weight2d(n.input[0]) : undefined;
      if (!table || consts.get(n.input[1])) {
        nodes.push(n);
        continue;
      }
      // Rows gathered as int8, then scaled by their own row's scale: the table is never dequantized whole.
      const q = leftWeight(n.input[0], table, true);
      const rows = fresh(`${base}_int8`);
      const rowsF = fresh(`${base}_float`);
      const rowScale = fresh(`${base}_row_scale`);
      nodes.push(
        make.node({ op_type: 'Gather', name: fresh(`${base}_Gather_int8`), input: [q.q, n.input[1]], output: [rows], attribute: [attrInt('axis', 0)] }),
        make.node({ op_type: 'Cast', name: fresh(`${base}_Cast`), input: [rows], output: [rowsF], attribute: [attrInt('to', DataType.FLOAT)] }),
        make.node({ op_type: 'Gather', name: fresh(`${base}_Gather_scale`), input: [q.scale, n.input[1]], output: [rowScale], attribute: [attrInt('axis', 0)] }),
        make.node({ op_type: 'Mul', name: fresh(`${base}_Mul`), input: [rowsF, rowScale], output: [n.output[0]] }),
      );
      counts.gather++;
      continue;
    }
    if (n.op_type === 'Gemm') {
      const w = weight2d(n.input[1]);
      const transB = intAttr(n, 'transB', 0) === 1;
      const cols = w ? w.dims[transB ? 0 : 1] : 0;
      const beta = floatAttr(n, 'beta', 1);
      const bias = n.input[2] ? biasOf(n.input[2], cols, beta) : undefined;
      if (!w || intAttr(n, 'transA', 0) !== 0 || (n.input[2] && !bias)) {
        nodes.push(n);
        continue;
      }
      const q = rightWeight(n.input[1], w, transB, floatAttr(n, 'alpha', 1));
      nodes.push(make.node({ op_type: 'DynamicQuantizeMatMul', domain: MS, name: fresh(`${base}_DynamicQuantizeMatMul`), input: [n.input[0], q.q, q.scale, q.zp, ...(bias ? [bias] : [])], output: [n.output[0]] }));
      counts.gemm++;
      continue;
    }
    const right = weight2d(n.input[1]);
    if (right && !consts.get(n.input[0])) {
      const q = rightWeight(n.input[1], right, false, 1);
      const fused = followingBias(n, right.dims[1]);
      if (fused) {
        absorbed.add(fused.add);
        counts.biasFolded++;
      }
      nodes.push(make.node({
        op_type: 'DynamicQuantizeMatMul', domain: MS, name: fresh(`${base}_DynamicQuantizeMatMul`),
        input: [n.input[0], q.q, q.scale, q.zp, ...(fused ? [fused.bias] : [])], output: [fused ? fused.add.output[0] : n.output[0]],
      }));
      counts.right++;
      continue;
    }
    const left = weight2d(n.input[0]);
    const swapped = left && !consts.get(n.input[1]) ? transposedLeft(n) : undefined;
    if (left && swapped) {
      // (W·Zᵀ)ᵀ = Z·Wᵀ: the two Transposes go, the weight moves to the right (7-bit, fused kernel).
      const q = rightWeight(n.input[0], left, true, 1);
      const fused = followingBias(swapped.after, left.dims[0]);
      if (fused) {
        absorbed.add(fused.add);
        counts.biasFolded++;
      }
      absorbed.add(swapped.after);
      shaping.add(swapped.before);
      nodes.push(make.node({
        op_type: 'DynamicQuantizeMatMul', domain: MS, name: fresh(`${base}_DynamicQuantizeMatMul`),
        input: [swapped.before.input[0], q.q, q.scale, q.zp, ...(fused ? [fused.bias] : [])], output: [fused ? fused.add.output[0] : swapped.after.output[0]],
      }));
      counts.left++;
      counts.transposesDropped += 2;
      continue;
    }
    if (left && !consts.get(n.input[1])) {
      // DynamicQuantizeLinear is ai.onnx opset 11: an older model keeps its left-hand weights in float.
      if (opset < 11) {
        leftSkipped++;
        nodes.push(n);
        continue;
      }
      const q = leftWeight(n.input[0], left);
      const [xq, xs, xzp] = quantizedInput(n.input[1], nodes);
      const acc = fresh(`${base}_int32`);
      const accF = fresh(`${base}_float`);
      const scale = fresh(`${base}_output_scale`);
      nodes.push(
        make.node({ op_type: 'MatMulInteger', name: fresh(`${base}_MatMulInteger`), input: [q.q, xq, q.zp, xzp], output: [acc] }),
        make.node({ op_type: 'Cast', name: fresh(`${base}_Cast`), input: [acc], output: [accF], attribute: [attrInt('to', DataType.FLOAT)] }),
        make.node({ op_type: 'Mul', name: fresh(`${base}_scale_Mul`), input: [xs, q.scale], output: [scale] }),
        make.node({ op_type: 'Mul', name: fresh(`${base}_Mul`), input: [accF, scale], output: [n.output[0]] }),
      );
      counts.left++;
      continue;
    }
    nodes.push(n);
  }
  const quantized = counts.right + counts.left + counts.gemm;
  // A Gather alone is no reason for this target: it makes nothing faster.
  if (!quantized) {
    const why = leftSkipped ? `its ${leftSkipped} MatMul(s) with a constant on the left need opset 11 or newer (the model has opset ${opset}); re-export it with a newer opset` : 'the model has no MatMul or Gemm with a constant 2-D weight to quantize; use int8-static for conv nets';
    throw new TargetError(`int8-dynamic: ${why}`);
  }
  if (counts.right + counts.gemm) requireOpset(model, MS, 1);
  g.node = nodes;
  g.initializer.push(...newInits);
  // No float copy of a quantized weight stays: the nodes that shaped it, then the initializer.
  const shapingDropped = dropUnused(allGraphs(model), g, shaping);
  g.value_info = [];
  const file = join(t.dir, `${t.stem}.int8-dynamic.onnx`);
  saveModel(model, file);
  return {
    file,
    precision: 'mixed',
    format: 'onnx',
    settings: {
      ops: ['MatMul', 'Gemm', 'Gather'], kernels: ['com.microsoft.DynamicQuantizeMatMul', 'MatMulInteger'], activationType: 'uint8', weightType: 'int8',
      weightBits: { rightHand: 7, leftHand: 8, gather: 8 },
      weightSymmetric: true, perChannel: true, excludeOps: t.settings.excludeOps, excludeNodes: t.settings.excludeNodes,
    },
    notes: {
      nodesQuantized: quantized + counts.gather, weightRight: counts.right, weightLeft: counts.left, gemm: counts.gemm, gather: counts.gather, biasFolded: counts.biasFolded,
      sharedWeightUses: counts.sharedWeights, shapingNodesDropped: shapingDropped, transposesDropped: counts.transposesDropped, ...(leftSkipped ? { leftKeptFloat: leftSkipped } : {}),
    },
  };
}
