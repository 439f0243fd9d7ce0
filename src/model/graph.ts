// Walking and editing graphs: sub-graphs of If/Loop/Scan, Constant folding, tensor values.
import { toFloat16Bits } from '../tensors/index.js';
import { AttrType, DataType, make, num } from './proto.js';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto } from './types.js';

/** The main graph and every sub-graph inside it (If branches, Loop and Scan bodies), depth first. */
export function allGraphs(model: ModelProto): GraphProto[] {
  const out: GraphProto[] = [];
  const visit = (g: GraphProto) => {
    out.push(g);
    for (const n of g.node) for (const sub of subgraphs(n)) visit(sub);
  };
  if (model.graph) visit(model.graph);
  return out;
}

export function subgraphs(node: NodeProto): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of node.attribute) {
    if (a.g) out.push(a.g);
    out.push(...a.graphs);
  }
  return out;
}

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function intAttr(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a?.i !== undefined ? num(a.i) : dflt;
}

export function floatAttr(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a?.f !== undefined ? a.f : dflt;
}

export function setIntAttr(node: NodeProto, name: string, value: number): void {
  node.attribute = node.attribute.filter((a) => a.name !== name);
  node.attribute.push(make.attribute({ name, type: AttrType.INT, i: value }));
}

/** The tensor a Constant node holds, in any of its attribute forms; undefined if sparse. */
function constantTensor(node: NodeProto): TensorProto | undefined {
  const a = node.attribute[0];
  if (!a || node.attribute.length !== 1) return undefined;
  switch (a.name) {
    case 'value': return a.t ? { ...a.t } as TensorProto : undefined;
    case 'value_float': return make.tensor({ data_type: DataType.FLOAT, dims: [], float_data: [a.f ?? 0] });
    case 'value_floats': return make.tensor({ data_type: DataType.FLOAT, dims: [a.floats.length], float_data: [...a.floats] });
    case 'value_int': return make.tensor({ data_type: DataType.INT64, dims: [], int64_data: [a.i ?? 0] });
    case 'value_ints': return make.tensor({ data_type: DataType.INT64, dims: [a.ints.length], int64_data: [...a.ints] });
    default: return undefined;
  }
}

/**
 * Turns `Constant` nodes into initializers of the graph they are in, so passes see every weight
 * as an initializer (PP-OCR stores all of its weights as Constant nodes). Returns how many.
 * Models below IR 4 also list initializers as graph inputs, as that IR requires.
 */
export function foldConstants(model: ModelProto): number {
  let folded = 0;
  const listAsInputs = num(model.ir_version) < 4;
  for (const g of allGraphs(model)) {
    const keep: NodeProto[] = [];
    for (const n of g.node) {
      const t = n.op_type === 'Constant' && (!n.domain || n.domain === 'ai.onnx') ? constantTensor(n) : undefined;
      if (!t) {
        keep.push(n);
        continue;
      }
      t.name = n.output[0];
      g.initializer.push(t);
      if (listAsInputs) {
        g.input.push(make.valueInfo({
          name: t.name,
          type: { tensor_type: { elem_type: t.data_type, shape: { dim: t.dims.map((d) => ({ dim_value: d })) } } },
        }));
      }
      folded++;
    }
    g.node = keep;
  }
  return folded;
}

export function tensorSize(t: TensorProto): number {
  return t.dims.reduce<number>((a, d) => a * num(d), 1);
}

function view(raw: Uint8Array): DataView {
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Values of a float, float16 or double tensor as float32. */
export function floatValues(t: TensorProto): Float32Array {
  const n = tensorSize(t);
  const raw = t.raw_data;
  switch (t.data_type) {
    case DataType.FLOAT: {
      if (!raw || raw.length === 0) return Float32Array.from(t.float_data);
      const v = view(raw);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, true);
      return out;
    }
    case DataType.DOUBLE: {
      if (!raw || raw.length === 0) return Float32Array.from(t.double_data);
      const v = view(raw);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(i * 8, true);
      return out;
    }
    case DataType.FLOAT16: {
      const out = new Float32Array(n);
      if (raw && raw.length) {
        const v = view(raw);
        for (let i = 0; i < n; i++) out[i] = fromFloat16Bits(v.getUint16(i * 2, true));
      } else {
        for (let i = 0; i < n; i++) out[i] = fromFloat16Bits(t.int32_data[i]);
      }
      return out;
    }
    default:
      throw new Error(`tensor ${t.name} of type ${t.data_type} is not a float tensor`);
  }
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function rawOf(arr: ArrayBufferView): Uint8Array {
  // ONNX raw_data is little-endian, as typed arrays are on every platform Node supports.
  return new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength));
}

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  return make.tensor({ name, dims, data_type: DataType.FLOAT, raw_data: rawOf(values) });
}

export function float16Tensor(name: string, dims: number[], values: Float32Array): TensorProto {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = toFloat16Bits(values[i]);
  return make.tensor({ name, dims, data_type: DataType.FLOAT16, raw_data: rawOf(bits) });
}

export function int8Tensor(name: string, dims: number[], values: Int8Array): TensorProto {
  return make.tensor({ name, dims, data_type: DataType.INT8, raw_data: rawOf(values) });
}

export function uint8Tensor(name: string, dims: number[], values: Uint8Array): TensorProto {
  return make.tensor({ name, dims, data_type: DataType.UINT8, raw_data: rawOf(values) });
}

export function int32Tensor(name: string, dims: number[], values: Int32Array): TensorProto {
  return make.tensor({ name, dims, data_type: DataType.INT32, raw_data: rawOf(values) });
}

/** Names not yet used in any graph of the model, derived from a readable stem. */
export function nameFactory(model: ModelProto): (stem: string) => string {
  const used = new Set<string>();
  for (const g of allGraphs(model)) {
    for (const n of g.node) {
      if (n.name) used.add(n.name);
      for (const x of [...n.input, ...n.output]) used.add(x);
    }
    for (const t of g.initializer) if (t.name) used.add(t.name);
    for (const v of [...g.input, ...g.output, ...g.value_info]) used.add(v.name);
  }
  return (stem) => {
    let name = stem;
    for (let i = 1; used.has(name); i++) name = `${stem}_${i}`;
    used.add(name);
    return name;
  };
}

/** Sets (or adds) the opset of a domain to at least `version`. */
export function requireOpset(model: ModelProto, domain: string, version: number): void {
  const imp = model.opset_import.find((o) => (o.domain ?? '') === domain || (domain === '' && o.domain === 'ai.onnx'));
  if (!imp) model.opset_import.push({ domain, version });
  else if (num(imp.version) < version) imp.version = version;
}
