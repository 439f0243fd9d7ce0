// Estimated compute per node, from the shapes of its inputs and outputs: a multiply-add counts as
// two FLOPs; ops without weights count one FLOP per output element; shape-only ops count zero.
import { attr, intAttr, type NodeProto } from '../model/index.js';
import type { ValueFacts } from './graph.js';

export const FLOPS_METHOD =
  'FLOPs from the shapes ONNX Runtime produced with the inputs fixed: 2 per multiply-add for Conv, ConvTranspose, ' +
  'MatMul, Gemm, LSTM/GRU/RNN; 1 per output element for other compute ops; 0 for shape, copy and constant ops';

const FREE = new Set([
  'Constant', 'Shape', 'Size', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Transpose', 'Concat', 'Split', 'Slice',
  'Gather', 'GatherElements', 'GatherND', 'Expand', 'Tile', 'Cast', 'CastLike', 'ConstantOfShape', 'Range', 'Dropout', 'If', 'Loop', 'Scan',
  'DepthToSpace', 'SpaceToDepth', 'Pad', 'NonZero', 'Where', 'ScatterND', 'ScatterElements', 'EyeLike', 'Trilu', 'OneHot',
]);

/** Ops whose compute is in their weights: a model's FLOPs are not known while one of them is not. */
export const WEIGHTED = new Set(['Conv', 'ConvInteger', 'QLinearConv', 'ConvTranspose', 'MatMul', 'MatMulInteger', 'QLinearMatMul', 'Gemm', 'LSTM', 'GRU', 'RNN']);

const count = (dims: number[] | undefined) => (dims ? dims.reduce((a, d) => a * Math.max(d, 0), 1) : undefined);

/** FLOPs of one node, or null when a shape it needs is unknown. */
export function nodeFlops(n: NodeProto, facts: Map<string, ValueFacts>): number | null {
  const dimsOf = (name: string | undefined) => (name ? facts.get(name)?.dims : undefined);
  if (FREE.has(n.op_type)) return 0;
  const out = count(dimsOf(n.output[0]));
  switch (n.op_type) {
    case 'Conv':
    case 'ConvInteger':
    case 'QLinearConv': {
      const w = dimsOf(n.input[n.op_type === 'QLinearConv' ? 3 : 1]);
      if (!w || out === undefined) return null;
      const perOut = w.slice(1).reduce((a, d) => a * d, 1); // C_in/group × kernel
      return 2 * out * perOut;
    }
    case 'ConvTranspose': {
      const x = count(dimsOf(n.input[0]));
      const w = dimsOf(n.input[1]);
      if (!w || x === undefined) return null;
      // W is [C_in, C_out/group, k...]: each input element meets C_out/group × kernel weights.
      return 2 * x * w[1] * w.slice(2).reduce((a, d) => a * d, 1);
    }
    case 'MatMul':
    case 'MatMulInteger':
    case 'QLinearMatMul':
    case 'Gemm': {
      const a = dimsOf(n.input[0]);
      if (!a || out === undefined) return null;
      const transA = n.op_type === 'Gemm' && intAttr(n, 'transA', 0) === 1;
      const k = a.length === 1 ? a[0] : transA ? a[a.length - 2] : a[a.length - 1];
      return 2 * out * k + (n.op_type === 'Gemm' && n.input[2] ? out : 0);
    }
    case 'LSTM':
    case 'GRU':
    case 'RNN': {
      const x = dimsOf(n.input[0]);
      const hidden = intAttr(n, 'hidden_size', 0);
      if (!x || !hidden) return null;
      const gates = n.op_type === 'LSTM' ? 4 : n.op_type === 'GRU' ? 3 : 1;
      const dirs = attr(n, 'direction')?.s && Buffer.from(attr(n, 'direction')!.s!).toString() === 'bidirectional' ? 2 : 1;
      const [seq, batch, input] = intAttr(n, 'layout', 0) === 1 ? [x[1], x[0], x[2]] : [x[0], x[1], x[2]];
      return 2 * dirs * seq * batch * gates * hidden * (input + hidden);
    }
    default: {
      if (out === undefined) return null;
      if (/Pool$/.test(n.op_type)) {
        const x = count(dimsOf(n.input[0]));
        return x ?? null;
      }
      return out;
    }
  }
}
