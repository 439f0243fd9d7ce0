// ORT's profile (Chrome trace JSON): kernel events carry cat "Node", a name ending in
// "_kernel_time", and args.op_name / args.provider. Sum them per op type, provider and node.
import type { ProfileSummary } from './protocol.js';

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

const TOP_NODES = 10;

export function summarizeProfile(trace: unknown, runs: number): ProfileSummary {
  const events = (Array.isArray(trace) ? trace : []) as TraceEvent[];
  const byOp = new Map<string, { us: number; nodes: Set<string> }>();
  const byProvider = new Map<string, number>();
  const byNode = new Map<string, { opType: string; provider: string; us: number }>();
  let total = 0;
  for (const ev of events) {
    if (ev.cat !== 'Node' || !ev.name?.endsWith('_kernel_time') || typeof ev.dur !== 'number') continue;
    const node = ev.name.slice(0, -'_kernel_time'.length);
    const opType = ev.args?.op_name ?? 'unknown';
    const provider = ev.args?.provider ?? 'unknown';
    total += ev.dur;
    const op = byOp.get(opType) ?? { us: 0, nodes: new Set<string>() };
    op.us += ev.dur;
    op.nodes.add(node);
    byOp.set(opType, op);
    byProvider.set(provider, (byProvider.get(provider) ?? 0) + ev.dur);
    const n = byNode.get(node) ?? { opType, provider, us: 0 };
    n.us += ev.dur;
    byNode.set(node, n);
  }
  const perRun = (us: number) => us / 1000 / Math.max(1, runs);
  const share = (us: number) => (total > 0 ? us / total : 0);
  return {
    runs,
    byOpType: [...byOp]
      .map(([opType, v]) => ({ opType, ms: perRun(v.us), share: share(v.us), nodes: v.nodes.size }))
      .sort((a, b) => b.ms - a.ms),
    byProvider: [...byProvider]
      .map(([provider, us]) => ({ provider, ms: perRun(us), share: share(us) }))
      .sort((a, b) => b.ms - a.ms),
    topNodes: [...byNode]
      .map(([node, v]) => ({ node, opType: v.opType, provider: v.provider, ms: perRun(v.us), share: share(v.us) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, TOP_NODES),
  };
}
