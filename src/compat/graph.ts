// The model as inspect sees it: every node of every graph (sub-graphs of If/Loop/Scan too), what
// each value is (constant, declared shape, dynamic or not), and the partitions supported nodes form.
import { num, subgraphs, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../model/index.js';

export interface ValueFacts {
  /** Known dims (undefined: unknown), element type (ONNX DataType number, 0 unknown). */
  dims?: number[];
  elemType: number;
  constant: boolean;
  /** Its shape depends on a dynamic input dim or on data (NonZero, Unique, ...). */
  dynamic: boolean;
  /** The tensor's value, for small int constants (axes, pads, split sizes). */
  ints?: number[];
}

export interface GraphNode {
  node: NodeProto;
  /** 'main' or the path of the sub-graph: 'main/If_0.then_branch'. */
  graph: string;
  index: number;
}

export interface GraphScope {
  path: string;
  graph: GraphProto;
  nodes: GraphNode[];
  /** The If/Loop/Scan node whose attribute holds this graph (none for the main graph). */
  owner?: NodeProto;
}

// Ops whose output shape depends on the data, not only on input shapes.
const DATA_DEPENDENT = new Set(['NonZero', 'Unique', 'NonMaxSuppression', 'Compress', 'Loop', 'TopK', 'If', 'Scan']);
// Ops whose output shape is fixed by the input's rank, whatever its dims.
const RANK_ONLY = new Set(['Shape', 'Size']);

function dimsOf(v: ValueInfoProto): { dims?: number[]; dynamic: boolean; elemType: number } {
  const tt = v.type?.tensor_type;
  const elemType = tt?.elem_type ?? 0;
  if (!tt?.shape) return { elemType, dynamic: true };
  let dynamic = false;
  const dims = tt.shape.dim.map((d) => {
    const n = num(d.dim_value);
    if (d.dim_value === undefined || d.dim_value === null || n <= 0) {
      dynamic = true;
      return -1;
    }
    return n;
  });
  return { dims, dynamic, elemType };
}

function smallInts(t: TensorProto): number[] | undefined {
  const count = t.dims.reduce<number>((a, d) => a * num(d), 1);
  if (count > 64) return undefined;
  if (t.data_type === 7) {
    if (t.int64_data.length) return t.int64_data.map(num);
    if (t.raw_data?.length) {
      const v = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
      return Array.from({ length: count }, (_, i) => Number(v.getBigInt64(i * 8, true)));
    }
  }
  if (t.data_type === 6) {
    if (t.int32_data.length) return [...t.int32_data];
    if (t.raw_data?.length) {
      const v = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
      return Array.from({ length: count }, (_, i) => v.getInt32(i * 4, true));
    }
  }
  return undefined;
}

function constantOf(n: NodeProto): TensorProto | undefined {
  if (n.op_type !== 'Constant' || (n.domain && n.domain !== 'ai.onnx')) return undefined;
  return n.attribute.find((a) => a.name === 'value')?.t;
}

/** Every graph of the model with its path, depth first (the main graph first). */
export function scopes(model: ModelProto): GraphScope[] {
  const out: GraphScope[] = [];
  const visit = (g: GraphProto, path: string, owner?: NodeProto) => {
    const nodes = g.node.map((node, index) => ({ node, graph: path, index }));
    out.push({ path, graph: g, nodes, ...(owner ? { owner } : {}) });
    g.node.forEach((n, i) => {
      for (const a of n.attribute) {
        const label = `${path}/${n.name || `${n.op_type}#${i}`}.${a.name}`;
        if (a.g) visit(a.g, label, n);
        a.graphs.forEach((sub, j) => visit(sub, `${label}[${j}]`, n));
      }
    });
  };
  if (model.graph) visit(model.graph, 'main');
  return out;
}

export function countNodes(model: ModelProto): { main: number; sub: number } {
  const all = scopes(model);
  const main = all[0]?.nodes.length ?? 0;
  return { main, sub: all.reduce((a, s) => a + s.nodes.length, 0) - main };
}

/**
 * Facts about every value, graph by graph, as the file declares them: shapes from inputs,
 * initializers and value_info, propagated forward: a value is dynamic when any input of the node
 * making it is (Shape and Size excepted), or when the op's output depends on the data.
 * `observed` (shapes and types ONNX Runtime saw with fixed inputs) fills in what the file leaves out.
 */
export function valueFacts(model: ModelProto, observed?: Map<string, { dims: number[]; elemType: number }>, fixedInputs = false): Map<string, ValueFacts> {
  const facts = new Map<string, ValueFacts>();
  const visit = (g: GraphProto) => {
    for (const t of g.initializer) {
      facts.set(t.name ?? '', { dims: t.dims.map(num), elemType: t.data_type ?? 0, constant: true, dynamic: false, ints: smallInts(t) });
    }
    const inits = new Set(g.initializer.map((t) => t.name));
    for (const v of g.input) {
      if (inits.has(v.name)) continue;
      const d = dimsOf(v);
      facts.set(v.name, { dims: d.dims, elemType: d.elemType, constant: false, dynamic: fixedInputs && g === model.graph ? false : d.dynamic });
    }
    const declared = new Map<string, ReturnType<typeof dimsOf>>();
    for (const v of [...g.value_info, ...g.output]) declared.set(v.name, dimsOf(v));
    for (const n of g.node) {
      const c = constantOf(n);
      if (c) {
        facts.set(n.output[0], { dims: c.dims.map(num), elemType: c.data_type ?? 0, constant: true, dynamic: false, ints: smallInts(c) });
        continue;
      }
      const ins = n.input.filter(Boolean).map((i) => facts.get(i));
      const allConst = ins.length > 0 && ins.every((f) => f?.constant);
      const anyDynamic = ins.some((f) => !f || f.dynamic);
      const dynamic = RANK_ONLY.has(n.op_type) ? ins[0]?.dims === undefined : DATA_DEPENDENT.has(n.op_type) || anyDynamic;
      for (const o of n.output) {
        if (!o) continue;
        const seen = observed?.get(o);
        const d = declared.get(o);
        facts.set(o, {
          dims: seen?.dims ?? (d?.dynamic ? undefined : d?.dims),
          elemType: seen?.elemType ?? d?.elemType ?? 0,
          constant: allConst,
          dynamic: fixedInputs && seen ? false : dynamic && !(d && !d.dynamic),
        });
      }
      for (const sub of subgraphs(n)) visit(sub);
    }
  };
  if (model.graph) visit(model.graph);
  return facts;
}

/**
 * Groups the supported nodes of one graph into partitions the way ONNX Runtime's partitioner does:
 * nodes are taken in topological order; a supported node joins the open group; an unsupported node
 * that consumes the open group's output waits until the group closes, so every group is a set of
 * nodes that can run together without a round trip through the CPU. Returns the group sizes.
 */
export function partitions(nodes: NodeProto[], supported: (n: NodeProto) => boolean): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const consumers: number[][] = nodes.map(() => []);
  const waiting = nodes.map(() => 0);
  nodes.forEach((n, i) => {
    const from = new Set<number>();
    for (const x of [...n.input, ...outerInputs(n)]) {
      const p = producer.get(x);
      if (p !== undefined && p !== i) from.add(p);
    }
    for (const p of from) consumers[p].push(i);
    waiting[i] = from.size;
  });
  let ready: number[] = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  let later: number[] = [];
  const sizes: number[] = [];
  let open = 0;
  let border = new Set<number>();
  const close = () => {
    if (open) sizes.push(open);
    open = 0;
    border = new Set();
  };
  while (ready.length || later.length) {
    if (!ready.length) {
      close();
      ready = later;
      later = [];
      continue;
    }
    const i = ready.shift()!;
    if (!supported(nodes[i])) {
      if (border.has(i)) {
        later.push(i);
        continue;
      }
    } else {
      open++;
      border.delete(i);
      for (const c of consumers[i]) border.add(c);
    }
    for (const c of consumers[i]) if (--waiting[c] === 0) ready.push(c);
  }
  close();
  return sizes;
}

/** Values a node's sub-graphs read from the enclosing graph (If branches read outer values by name). */
function outerInputs(n: NodeProto): string[] {
  const out: string[] = [];
  for (const g of subgraphs(n)) {
    const local = new Set<string>([...g.input.map((v) => v.name), ...g.initializer.map((t) => t.name ?? '')]);
    for (const m of g.node) {
      for (const x of m.input) if (x && !local.has(x)) out.push(x);
      for (const o of m.output) local.add(o);
      out.push(...outerInputs(m).filter((x) => !local.has(x)));
    }
  }
  return out;
}
