// `edgeml inspect`: will the model run on each target runtime? Plain functions over the graph.
import type { ResolvedInput } from '../tensors/index.js';
import { num, onnxOpset, type ModelProto, type NodeProto } from '../model/index.js';
import { FLOPS_METHOD, nodeFlops, WEIGHTED } from './compute.js';
import { countNodes, partitions, scopes, valueFacts, type ValueFacts } from './graph.js';
import { checkRow, RULES, type Finding, type NodeContext } from './rules.js';
import type { Observed } from './shapes.js';
import { lookupKey, onnxVersions, supportTable, tableIndex } from './tables.js';
import type { Coverage, InspectOutcome, SupportTable, TargetOutcome, TargetPass, UnsupportedNode } from './types.js';

export interface InspectOptions {
  model: ModelProto;
  file: { path: string; name: string; sha256: string };
  targets: string[];
  /** The inputs fixed as --input fixes them, or null with the reason they could not be. */
  fixedInputs: ResolvedInput[] | null;
  fixedNote?: string;
  /** What ONNX Runtime saw with the fixed inputs, or the reason it could not run the model. */
  observed: Observed | string | null;
}

interface Judged {
  node: NodeProto;
  graph: string;
  finding: Finding | null;
}

/** Constant nodes are weights: every runtime folds them into initializers before it partitions. */
export const isConstantNode = (n: NodeProto) => n.op_type === 'Constant' && (!n.domain || n.domain === 'ai.onnx');

function judge(table: SupportTable, node: NodeProto, facts: Map<string, ValueFacts>, opset: number, versions: Map<string, number[]>, unknown: string[]): Finding | null {
  if (isConstantNode(node)) return null;
  const index = tableIndex(table.ops);
  const row = index.get(lookupKey(node.domain, node.op_type));
  const domain = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:` : '';
  if (!row) {
    const listed = tableIndex(table.unsupported).get(lookupKey(node.domain, node.op_type));
    return listed
      ? { reason: 'op-unsupported', detail: `${domain}${node.op_type} is listed as not supported${listed.note ? ` (${listed.note})` : ''}` }
      : { reason: 'op-missing', detail: `${domain}${node.op_type} is not in the table of supported operators` };
  }
  if (table.opsets && !row.opsets && !node.domain && (opset < table.opsets[0] || opset > table.opsets[1])) {
    return { reason: 'opset', detail: `opset ${opset} is outside the supported range ${table.opsets[0]}..${table.opsets[1]}` };
  }
  const c: NodeContext = { node, facts, opset, unknown };
  const rowFinding = checkRow(table, row, c, versions);
  if (rowFinding) return rowFinding;
  const rules = RULES[table.target];
  if (rules?.fixedShapes) {
    const dyn = node.input.find((x) => x && (facts.get(x)?.dynamic ?? true));
    if (dyn) return { reason: 'dynamic-shape', detail: `input '${dyn}' has a dynamic shape; ${table.target} needs fixed shapes (fix them with --input)` };
  }
  return rules?.ops[node.op_type]?.(c) ?? null;
}

function pass(model: ModelProto, table: SupportTable, facts: Map<string, ValueFacts>, flops: Map<NodeProto, number | null>, shapes: 'as-is' | 'fixed', unknown: string[]): TargetPass {
  const opset = onnxOpset(model);
  const versions = onnxVersions();
  const all = scopes(model);
  const verdicts = new Map<NodeProto, Finding | null>();
  // Deepest graphs first: an If/Loop/Scan runs there only if every node of its sub-graphs does.
  for (const s of [...all].reverse()) {
    for (const { node } of s.nodes) {
      let finding = judge(table, node, facts, opset, versions, unknown);
      if (!finding) {
        const inner = all.filter((x) => x.owner === node).flatMap((x) => x.nodes).filter((n) => verdicts.get(n.node));
        if (inner.length) finding = { reason: 'subgraph', detail: `${inner.length} node${inner.length === 1 ? '' : 's'} of its sub-graphs ${inner.length === 1 ? 'is' : 'are'} not supported (first: ${inner[0].node.op_type} '${inner[0].node.name ?? ''}')` };
      }
      verdicts.set(node, finding);
    }
  }
  const judged: Judged[] = all.flatMap((s) => s.nodes.map(({ node }) => ({ node, graph: s.path, finding: verdicts.get(node) ?? null })));
  // Partitions per graph; a sub-graph whose owner the runtime takes goes with its owner.
  const sizes: number[] = [];
  for (const s of all) {
    if (s.owner && verdicts.get(s.owner) === null) continue;
    sizes.push(...partitions(s.graph.node.filter((n) => !isConstantNode(n)), (n) => verdicts.get(n) === null));
  }
  const unsupported: UnsupportedNode[] = judged
    .filter((j) => j.finding)
    .map((j) => ({ name: j.node.name ?? '', op: j.node.op_type, domain: j.node.domain ?? '', graph: j.graph, reason: j.finding!.reason, detail: j.finding!.detail }));
  return { shapes, coverage: coverage(judged, flops), partitions: sizes.length, partitionSizes: sizes, unsupported };
}

function coverage(judged: Judged[], flops: Map<NodeProto, number | null>): Coverage {
  const nodes = judged.length;
  const supportedNodes = judged.filter((j) => !j.finding).length;
  let total = 0;
  let supported = 0;
  let unestimated = 0;
  let heavyUnknown = false;
  for (const j of judged) {
    const f = flops.get(j.node);
    if (f === null || f === undefined) {
      unestimated++;
      if (WEIGHTED.has(j.node.op_type)) heavyUnknown = true;
      continue;
    }
    total += f;
    if (!j.finding) supported += f;
  }
  // A Conv or MatMul whose shapes are unknown may hold most of the compute: then no share is given.
  const estimated = total > 0 && !heavyUnknown;
  return {
    nodes,
    supportedNodes,
    nodePercent: nodes ? round((supportedNodes / nodes) * 100) : 100,
    flops: estimated ? total : null,
    supportedFlops: estimated ? supported : null,
    computePercent: estimated ? round((supported / total) * 100) : null,
    unestimatedNodes: unestimated,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

function summarize(p: TargetPass): string {
  const byOp = new Map<string, { n: number; reason: string }>();
  for (const u of p.unsupported) {
    const e = byOp.get(u.op) ?? { n: 0, reason: u.reason };
    e.n++;
    byOp.set(u.op, e);
  }
  const parts = [...byOp].slice(0, 4).map(([op, e]) => `${e.n}× ${op} (${e.reason})`);
  return parts.join(', ') + (byOp.size > 4 ? `, +${byOp.size - 4} more op types` : '');
}

function verdictOf(target: string, best: TargetPass, asIs: TargetPass, fixedAvailable: boolean): string {
  const c = best.coverage;
  const where = best.shapes === 'fixed' ? ' with the inputs fixed' : fixedAvailable ? '' : ' (shapes as declared)';
  if (!best.unsupported.length) {
    const extra = best.shapes === 'fixed' && asIs.unsupported.length ? `; as declared, ${asIs.unsupported.length} nodes are not (${summarize(asIs)})` : '';
    return `YES: ${target} takes all ${c.nodes} nodes${where} in ${best.partitions} partition${best.partitions === 1 ? '' : 's'}${extra}`;
  }
  const compute = c.computePercent === null ? '' : `, ${c.computePercent}% of compute`;
  return `NO: ${target} takes ${c.supportedNodes} of ${c.nodes} nodes${where} (${c.nodePercent}%${compute}) in ${best.partitions} partition${best.partitions === 1 ? '' : 's'}; not supported: ${summarize(best)}`;
}

/** The unchecked table notes for the ops this model uses, and conditions left unchecked for want of shapes. */
function uncheckedNotes(model: ModelProto, table: SupportTable, unknown: string[]): string[] {
  const used = new Set(scopes(model).flatMap((s) => s.nodes.map((n) => lookupKey(n.node.domain, n.node.op_type))));
  const rules = RULES[table.target]?.ops ?? {};
  const out: string[] = [];
  for (const r of table.ops) {
    if (!r.note || /: no constraints listed$/.test(r.note) || !used.has(lookupKey(r.domain, r.op)) || rules[r.op]) continue;
    out.push(`${r.domain ? `${r.domain}:` : ''}${r.op}: ${r.note}`);
  }
  const counts = new Map<string, number>();
  for (const u of unknown) counts.set(u, (counts.get(u) ?? 0) + 1);
  for (const [u, n] of counts) out.push(`not checked on ${n} node${n === 1 ? '' : 's'}: ${u}`);
  return out;
}

export function inspect(o: InspectOptions): InspectOutcome {
  const { model } = o;
  const observed = o.observed instanceof Map ? o.observed : undefined;
  const declared = valueFacts(model, observed, false);
  const fixedFacts = o.fixedInputs ? valueFacts(model, observed, true) : null;
  const flops = new Map<NodeProto, number | null>();
  for (const s of scopes(model)) for (const { node } of s.nodes) flops.set(node, observed ? nodeFlops(node, fixedFacts ?? declared) : null);
  const counts = countNodes(model);
  const targets: TargetOutcome[] = o.targets.map((target) => {
    const table = supportTable(target);
    const unknown: string[] = [];
    const asIs = pass(model, table, declared, flops, 'as-is', unknown);
    const fixed = fixedFacts ? pass(model, table, fixedFacts, flops, 'fixed', []) : null;
    const best = fixed ?? asIs;
    const out: TargetOutcome = {
      target,
      title: table.title,
      table: { version: table.version, retrieved: table.retrieved, url: table.source.url },
      runs: best.unsupported.length === 0,
      verdict: verdictOf(target, best, asIs, Boolean(fixed)),
      asIs,
      fixed,
      unchecked: uncheckedNotes(model, table, unknown),
    };
    if (!fixed) out.fixedNote = o.fixedNote ?? 'inputs not fixed';
    return out;
  });
  const inputs = (model.graph?.input ?? [])
    .filter((v) => !model.graph!.initializer.some((t) => t.name === v.name))
    .map((v) => ({
      name: v.name,
      declared: (v.type?.tensor_type?.shape?.dim ?? []).map((d) => (d.dim_value !== undefined && d.dim_value !== null && num(d.dim_value) > 0 ? num(d.dim_value) : d.dim_param || '?')),
      fixed: o.fixedInputs?.find((i) => i.name === v.name)?.shape ?? null,
    }));
  let flopsMethod = FLOPS_METHOD;
  if (!observed) flopsMethod = `not estimated: ${typeof o.observed === 'string' ? o.observed : o.fixedNote ?? 'inputs not fixed'}`;
  return {
    schema: 'edgeml-inspect/1',
    model: { path: o.file.path, name: o.file.name, sha256: o.file.sha256, opset: onnxOpset(model), irVersion: num(model.ir_version), nodes: counts.main, subgraphNodes: counts.sub },
    inputs,
    flopsMethod,
    targets,
    pass: targets.every((t) => t.runs),
  };
}
