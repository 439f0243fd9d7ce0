// The conditions of each vendor table that can be checked on the graph itself: ranks, attributes,
// constant inputs, element types, opset versions, fixed shapes. One function per (target, op);
// a table note with no function here is reported as unchecked.
import { attr, intAttr, type NodeProto } from '../model/index.js';
import type { ValueFacts } from './graph.js';
import type { Reason, SupportTable, TableOp } from './types.js';

export interface Finding {
  reason: Reason;
  detail: string;
}

export interface NodeContext {
  node: NodeProto;
  facts: Map<string, ValueFacts>;
  opset: number;
  /** Conditions that could not be checked on this node for want of a shape. */
  unknown: string[];
}

type Rule = (c: NodeContext) => Finding | null;

const str = (n: NodeProto, name: string, dflt: string) => {
  const a = attr(n, name);
  return a?.s ? Buffer.from(a.s).toString('utf8') : dflt;
};
const fact = (c: NodeContext, i: number) => (c.node.input[i] ? c.facts.get(c.node.input[i]) : undefined);
const has = (c: NodeContext, i: number) => Boolean(c.node.input[i]);
const rank = (c: NodeContext, i = 0) => fact(c, i)?.dims?.length;

function needRank(c: NodeContext, allowed: number[], what: string): Finding | null {
  const r = rank(c);
  if (r === undefined) {
    c.unknown.push(`${c.node.op_type}: ${what} (rank of '${c.node.input[0]}' unknown)`);
    return null;
  }
  return allowed.includes(r) ? null : { reason: 'rank', detail: `${what}; input '${c.node.input[0]}' has rank ${r}` };
}

function needConst(c: NodeContext, indexes: number[], what: string): Finding | null {
  for (const i of indexes) {
    if (has(c, i) && !fact(c, i)?.constant) return { reason: 'not-constant', detail: `${what} ('${c.node.input[i]}' is computed at run time)` };
  }
  return null;
}

const first = (...checks: Array<() => Finding | null>): Finding | null => {
  for (const f of checks) {
    const r = f();
    if (r) return r;
  }
  return null;
};

const pool2d: Rule = (c) => needRank(c, [4], 'only 2D pooling (rank-4 input) is supported');
const dcr: Rule = (c) => (str(c.node, 'mode', 'DCR') === 'DCR' ? null : { reason: 'attribute', detail: `mode=${str(c.node, 'mode', 'DCR')}: only DCR mode is supported` });
const quantConst: Rule = (c) => needConst(c, c.node.input.map((_, i) => i).filter((i) => i > 0 && i !== 3), 'quantization scales and zero points must be constant');

const NNAPI: Record<string, Rule> = {
  Conv: (c) => first(() => needRank(c, [4], 'only 2D Conv is supported'), () => needConst(c, [1, 2], 'weights and bias must be constant')),
  AveragePool: pool2d, MaxPool: pool2d, GlobalAveragePool: pool2d, GlobalMaxPool: pool2d,
  DepthToSpace: dcr,
  Gemm: (c) => (!fact(c, 1)?.constant && intAttr(c.node, 'transB', 0) !== 1 ? { reason: 'attribute', detail: `input B '${c.node.input[1]}' is not constant, so transB must be 1` } : null),
  Gather: (c) => (fact(c, 1)?.constant || fact(c, 1)?.elemType === 6 ? null : { reason: 'not-constant', detail: `indices '${c.node.input[1]}' must be constant unless int32` }),
  Pad: (c) => first(
    () => (str(c.node, 'mode', 'constant') === 'constant' ? null : { reason: 'attribute', detail: `mode=${str(c.node, 'mode', 'constant')}: only constant mode is supported` }),
    () => needConst(c, [1, 2], 'pads and constant_value must be constant'),
    () => (fact(c, 1)?.ints?.some((p) => p < 0) ? { reason: 'attribute', detail: 'pads must be non-negative' } : null),
  ),
  Resize: (c) => needRank(c, [4], 'only 2D Resize (rank-4 input) is supported'),
  Squeeze: (c) => needConst(c, [1], 'axes must be constant'),
  Unsqueeze: (c) => needConst(c, [1], 'axes must be constant'),
  Split: (c) => needConst(c, [1], 'split must be constant'),
  QuantizeLinear: quantConst, DequantizeLinear: quantConst,
  QLinearConv: (c) => first(() => needRank(c, [4], 'only 2D Conv is supported'), () => needConst(c, [1, 2, 3, 4, 5, 6, 7, 8], 'weights, bias, scales and zero points must be constant')),
};

const COREML: Record<string, Rule> = {
  Conv: (c) => first(() => needRank(c, [3, 4], 'only 1D/2D Conv is supported'), () => needConst(c, [1, 2], 'weights and bias must be constant')),
  AveragePool: pool2d, MaxPool: pool2d, GlobalAveragePool: pool2d, GlobalMaxPool: pool2d,
  DepthToSpace: dcr,
  Gather: (c) => (fact(c, 1)?.dims?.length === 0 ? { reason: 'rank', detail: `indices '${c.node.input[1]}' is a scalar, which is not supported` } : null),
  Gemm: (c) => needConst(c, [1], 'input B must be constant'),
  MatMul: (c) => needConst(c, [1], 'input B must be constant'),
  Pad: (c) => first(
    () => (str(c.node, 'mode', 'constant') === 'constant' ? null : { reason: 'attribute', detail: `mode=${str(c.node, 'mode', 'constant')}: only constant mode is supported` }),
    () => needConst(c, [1, 2, 3], 'pads, constant_value and axes must be constant'),
  ),
  PRelu: (c) => needConst(c, [1], 'slope must be constant'),
  Slice: (c) => needConst(c, [1, 2, 3, 4], 'starts, ends, axes and steps must be constant'),
  Shape: (c) => (attr(c.node, 'end') || intAttr(c.node, 'start', 0) !== 0 ? { reason: 'attribute', detail: 'start/end attributes are not supported' } : null),
};

const MLPROGRAM: Record<string, Rule> = {
  Conv: (c) => first(() => needRank(c, [3, 4], 'only 1D/2D Conv is supported'), () => needConst(c, [2], 'bias must be constant')),
  ConvTranspose: (c) => first(
    () => needConst(c, [1, 2], 'weight and bias must be constant'),
    () => (/^SAME_/.test(str(c.node, 'auto_pad', 'NOTSET')) ? { reason: 'attribute', detail: `auto_pad=${str(c.node, 'auto_pad', '')} is not supported` } : null),
    () => (attr(c.node, 'output_shape') ? { reason: 'attribute', detail: 'output_shape is not supported' } : null),
  ),
  AveragePool: pool2d, MaxPool: pool2d, GlobalAveragePool: pool2d, GlobalMaxPool: pool2d,
  Gemm: (c) => needConst(c, [1], 'input B must be constant'),
  Pow: (c) => ([0, 1].every((i) => fact(c, i)?.elemType === 1) ? null : { reason: 'dtype', detail: 'both inputs must be float32' }),
  Slice: (c) => needConst(c, [1, 2, 3, 4], 'starts, ends, axes and steps must be constant'),
  Split: (c) => needConst(c, [1], 'splits must be constant'),
};

const trtAxes = (i: number): Rule => (c) => needConst(c, [i], 'axes must be an initializer');
const trtPool: Rule = (c) => first(
  () => needRank(c, [4, 5], 'only 2D or 3D pooling is supported'),
  () => ((attr(c.node, 'dilations')?.ints ?? []).some((d) => Number(d) !== 1) ? { reason: 'attribute', detail: 'dilations must be all ones' } : null),
  () => (c.node.op_type === 'MaxPool' && c.node.output[1] ? { reason: 'attribute', detail: 'the Indices output is not supported' } : null),
);
const TENSORRT: Record<string, Rule> = {
  AveragePool: trtPool, MaxPool: trtPool,
  CumSum: (c) => needConst(c, [1], 'axis must be an initializer'),
  Pad: trtAxes(3), Slice: trtAxes(3), Squeeze: trtAxes(1), Unsqueeze: trtAxes(1),
  ...Object.fromEntries(['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare'].map((op) => [op, trtAxes(1)])),
  TopK: (c) => (intAttr(c.node, 'sorted', 1) !== 1 ? { reason: 'attribute', detail: 'sorted must be 1' } : null),
  LSTM: (c) => (intAttr(c.node, 'input_forget', 0) !== 0 || intAttr(c.node, 'layout', 0) !== 0 ? { reason: 'attribute', detail: 'input_forget and layout must be 0' } : null),
  Dropout: (c) => needConst(c, [2], 'training_mode must be an initializer'),
};

const TFLITE: Record<string, Rule> = {
  AveragePool: pool2d, MaxPool: pool2d,
  Squeeze: (c) => needConst(c, [1], 'axes must be constant'),
  Unsqueeze: (c) => needConst(c, [1], 'axes must be constant'),
  BatchNormalization: (c) => needConst(c, [1, 2, 3, 4], 'scale, bias, mean and var must be constant'),
  Split: (c) => needConst(c, [1], 'split sizes must be constant'),
};

/** Per target: the op rules, and whether every node input must have a fixed shape. */
export const RULES: Record<string, { ops: Record<string, Rule>; fixedShapes: boolean }> = {
  nnapi: { ops: NNAPI, fixedShapes: true },
  coreml: { ops: COREML, fixedShapes: true },
  'coreml-mlprogram': { ops: MLPROGRAM, fixedShapes: true },
  'ort-mobile': { ops: {}, fixedShapes: false },
  tensorrt: { ops: TENSORRT, fixedShapes: false },
  openvino: { ops: {}, fixedShapes: false },
  tflite: { ops: TFLITE, fixedShapes: false },
};

const TRT_TYPES: Record<number, string> = { 1: 'FP32', 10: 'FP16', 16: 'BF16', 6: 'INT32', 7: 'INT64', 9: 'BOOL', 2: 'UINT8', 3: 'INT8', 11: 'FP32' };
const TYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

const SHAPE_IN = new Set(['Shape', 'Size', 'NonZero']);
const MAKES_FROM_SHAPE = new Set(['ConstantOfShape', 'EyeLike', 'RandomNormalLike', 'RandomUniformLike', 'Range']);

/** The ONNX version of `op` in force at `opset`, from ONNX's list of the op's versions. */
export function versionAt(versions: number[] | undefined, opset: number): number | undefined {
  if (!versions?.length) return undefined;
  const at = versions.filter((v) => v <= opset);
  return at.length ? Math.max(...at) : undefined;
}

/** Whether the table's row accepts this node's types and opset (the checks every row of a table shares). */
export function checkRow(table: SupportTable, row: TableOp, c: NodeContext, onnxVersions: Map<string, number[]>): Finding | null {
  const { node } = c;
  if (row.types?.length && !SHAPE_IN.has(node.op_type)) {
    // The types column is of the data the op computes on: its first input, or for ops that take a
    // shape (ConstantOfShape, EyeLike, Random*Like...) the output it makes.
    const t = (MAKES_FROM_SHAPE.has(node.op_type) ? (node.output[0] ? c.facts.get(node.output[0]) : undefined) : fact(c, 0))?.elemType;
    const name = t ? TRT_TYPES[t] : undefined;
    if (t && !name) return { reason: 'dtype', detail: `input type ${TYPE_NAMES[t] ?? t} is not among ${row.types.join(', ')}` };
    if (name && !row.types.includes(name)) return { reason: 'dtype', detail: `input type ${TYPE_NAMES[t!]} is not among ${row.types.join(', ')}` };
  }
  if (row.since?.length) {
    const v = versionAt(row.defined, c.opset) ?? c.opset;
    if (row.since[0] > v) return { reason: 'opset', detail: `implemented from version ${row.since[0]}; this model uses version ${v} (opset ${c.opset})` };
  }
  if (row.opsets?.length && !node.domain) {
    const versions = onnxVersions.get(node.op_type);
    const mine = versionAt(versions, c.opset);
    const built = row.opsets.map((o) => versionAt(versions, o));
    const ok = mine !== undefined ? built.includes(mine) : row.opsets.includes(c.opset);
    if (!ok) return { reason: 'opset', detail: `kernels are built for opset ${row.opsets.join('/')}; ${node.op_type} at opset ${c.opset} is version ${mine ?? '?'}, not in the package` };
  }
  if (table.types?.length) {
    const allowed = new Set(table.types.map((t) => (t === 'float' ? 'float32' : t)));
    for (const x of [...node.input, ...node.output]) {
      const t = x ? c.facts.get(x)?.elemType : undefined;
      if (t === 10 || t === 11 || t === 16) {
        if (!allowed.has(TYPE_NAMES[t])) return { reason: 'dtype', detail: `'${x}' is ${TYPE_NAMES[t]}; the package has ${table.types.join(', ')} kernels (int32/int64 for shape ops)` };
      }
    }
  }
  return null;
}
