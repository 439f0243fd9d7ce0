// Constant weights reached through shape-only ops: `Transpose(W)`, `Reshape(W, [..])`, `Cast(W)`,
// `Identity`, `Squeeze`/`Unsqueeze` of an initializer evaluate here to one float tensor, so the int8
// passes see a weight wherever an export left it (PyTorch without constant folding, TF's MatMul with
// transposes), and can drop the nodes that made it.
import { attr, floatValues } from './graph.js';
import { DataType, num } from './proto.js';
import type { GraphProto, NodeProto, TensorProto, ConstantValue } from './types.js';

const FLOATS: number[] = [DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE];
const SHAPE_OPS = new Set(['Transpose', 'Reshape', 'Cast', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);

/** Values of an int64 or int32 tensor (shapes, axes) as numbers. */
export function intValues(t: TensorProto): number[] {
  const n = t.dims.reduce<number>((a, d) => a * num(d), 1);
  const raw = t.raw_data;
  if (t.data_type === DataType.INT64) {
    if (!raw || !raw.length) return t.int64_data.map(num);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: n }, (_, i) => Number(v.getBigInt64(i * 8, true)));
  }
  if (t.data_type === DataType.INT32) {
    if (!raw || !raw.length) return [...t.int32_data];
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: n }, (_, i) => v.getInt32(i * 4, true));
  }
  throw new Error(`tensor ${t.name} of type ${t.data_type} is not an integer tensor`);
}

export function transposeValues(values: Float32Array, dims: number[], perm: number[]): { values: Float32Array; dims: number[] } {
  const out = new Float32Array(values.length);
  const outDims = perm.map((p) => dims[p]);
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const outStrides = perm.map((p) => strides[p]);
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < idx.length; k++) src += idx[k] * outStrides[k];
    out[o] = values[src];
    for (let k = idx.length - 1; k >= 0; k--) {
      if (++idx[k] < outDims[k]) break;
      idx[k] = 0;
    }
  }
  return { values: out, dims: outDims };
}

function reshapeDims(dims: number[], target: number[], allowZero: boolean): number[] | undefined {
  const size = dims.reduce((a, b) => a * b, 1);
  const out = target.map((d, i) => (d === 0 && !allowZero ? dims[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const holes = out.filter((d) => d === -1).length;
  if (holes > 1 || out.some((d) => d < -1 || d === undefined)) return undefined;
  if (holes === 1) {
    if (!known || size % known) return undefined;
    out[out.indexOf(-1)] = size / known;
  }
  return out.reduce((a, b) => a * b, 1) === size ? out : undefined;
}

/** One shape-only op on a constant, or undefined when it cannot be evaluated here. */
function step(n: NodeProto, v: { dims: number[]; values: Float32Array }, inits: Map<string, TensorProto>, opset: number): { dims: number[]; values: Float32Array } | undefined {
  switch (n.op_type) {
    case 'Identity':
      return v;
    case 'Cast': {
      const to = num(attr(n, 'to')?.i);
      // To float32 only: a cast to float16 or an integer would change the values.
      return to === DataType.FLOAT ? v : undefined;
    }
    case 'Transpose': {
      const p = attr(n, 'perm');
      const perm = p ? p.ints.map(num) : v.dims.map((_, i) => v.dims.length - 1 - i);
      return perm.length === v.dims.length ? transposeValues(v.values, v.dims, perm) : undefined;
    }
    case 'Reshape': {
      const shape = inits.get(n.input[1]);
      if (!shape) return undefined;
      const dims = reshapeDims(v.dims, intValues(shape), num(attr(n, 'allowzero')?.i) === 1);
      return dims && { dims, values: v.values };
    }
    case 'Flatten': {
      const rank = v.dims.length;
      let axis = num(attr(n, 'axis')?.i ?? 1);
      if (axis < 0) axis += rank;
      const head = v.dims.slice(0, axis).reduce((a, b) => a * b, 1);
      return { dims: [head, v.values.length / head], values: v.values };
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      const axesT = opset >= 13 ? inits.get(n.input[1]) : undefined;
      const axes = opset >= 13 ? (axesT ? intValues(axesT) : n.op_type === 'Squeeze' && !n.input[1] ? [] : undefined) : (attr(n, 'axes')?.ints.map(num) ?? []);
      if (!axes) return undefined;
      if (n.op_type === 'Squeeze') {
        const rank = v.dims.length;
        const drop = new Set(axes.length ? axes.map((a) => (a < 0 ? a + rank : a)) : v.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
        if ([...drop].some((a) => v.dims[a] !== 1)) return undefined;
        return { dims: v.dims.filter((_, i) => !drop.has(i)), values: v.values };
      }
      const rank = v.dims.length + axes.length;
      const add = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
      const dims: number[] = [];
      for (let i = 0, j = 0; i < rank; i++) dims.push(add.has(i) ? 1 : v.dims[j++]);
      return { dims, values: v.values };
    }
    default:
      return undefined;
  }
}

/**
 * Every float value of the graph that is an initializer or a shape-only op of one, by name.
 * Evaluated lazily: `get(name)` computes (and caches) that value only.
 */
export function constantValues(g: GraphProto, opset: number): { get(name: string): ConstantValue | undefined } {
  const inits = new Map(g.initializer.map((t) => [t.name!, t]));
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const cache = new Map<string, ConstantValue | null>();
  const get = (name: string, depth = 0): ConstantValue | undefined => {
    const hit = cache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    let value: ConstantValue | undefined;
    const t = inits.get(name);
    if (t) {
      if (FLOATS.includes(t.data_type ?? 0) && !t.external_data.length) {
        value = { dims: t.dims.map(num), values: floatValues(t), root: name, chain: [], dataType: t.data_type! };
      }
    } else {
      const n = producer.get(name);
      if (n && SHAPE_OPS.has(n.op_type) && (!n.domain || n.domain === 'ai.onnx') && n.output.length === 1 && depth < 16) {
        const src = get(n.input[0], depth + 1);
        const r = src && step(n, src, inits, opset);
        if (src && r) value = { ...r, root: src.root, chain: [...src.chain, n], dataType: n.op_type === 'Cast' ? DataType.FLOAT : src.dataType };
      }
    }
    cache.set(name, value ?? null);
    return value;
  };
  return { get: (name) => get(name) };
}

/**
 * Drops nodes none of whose outputs is read (by a node of any graph or as a graph output), among
 * `candidates` only, repeatedly; then initializers nobody reads (and their graph inputs). Returns
 * the nodes dropped.
 */
export function dropUnused(graphs: GraphProto[], main: GraphProto, candidates: Set<NodeProto>): number {
  let dropped = 0;
  for (;;) {
    const used = new Set(graphs.flatMap((sub) => sub.node.flatMap((x) => x.input)));
    for (const o of main.output) used.add(o.name);
    const before = main.node.length;
    main.node = main.node.filter((n) => !candidates.has(n) || n.output.some((o) => used.has(o)));
    dropped += before - main.node.length;
    if (main.node.length === before) {
      // Below IR 4 initializers are also graph inputs: one dropped leaves the inputs too.
      const gone = new Set(main.initializer.filter((x) => !used.has(x.name!)).map((x) => x.name!));
      main.initializer = main.initializer.filter((x) => !gone.has(x.name!));
      main.input = main.input.filter((i) => !gone.has(i.name));
      return dropped;
    }
  }
}

/**
 * Replaces inputs of the chosen nodes that are shape-only ops of a constant with one float32
 * initializer holding the value (once per value), and drops the nodes that made it when nothing
 * else reads them. Returns how many inputs were replaced.
 */
export function materializeConstants(g: GraphProto, graphs: GraphProto[], opset: number, inputsOf: (n: NodeProto) => number[]): number {
  const consts = constantValues(g, opset);
  const made = new Map<string, string>();
  const shaping = new Set<NodeProto>();
  const taken = new Set([...g.initializer.map((t) => t.name!), ...g.node.flatMap((n) => n.output)]);
  let replaced = 0;
  for (const n of g.node) {
    for (const i of inputsOf(n)) {
      const name = n.input[i];
      const v = name ? consts.get(name) : undefined;
      if (!v || !v.chain.length) continue;
      let init = made.get(name);
      if (!init) {
        init = `${name}_folded`;
        for (let k = 1; taken.has(init); k++) init = `${name}_folded_${k}`;
        taken.add(init);
        const raw = new Uint8Array(v.values.buffer.slice(v.values.byteOffset, v.values.byteOffset + v.values.byteLength));
        g.initializer.push({ name: init, dims: v.dims, data_type: DataType.FLOAT, raw_data: raw, float_data: [], int32_data: [], int64_data: [], double_data: [], uint64_data: [], string_data: [], external_data: [] });
        made.set(name, init);
        v.chain.forEach((c) => shaping.add(c));
      }
      n.input[i] = init;
      replaced++;
    }
  }
  if (replaced) dropUnused(graphs, g, shaping);
  return replaced;
}
