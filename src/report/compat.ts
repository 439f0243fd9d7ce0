// Operator compatibility (edgeml inspect) for the terminal and for the PR comment: one row per
// target, and what changed against the base branch's model. Strings from a document go through `e`.
import { markdownTable } from 'markdown-table';
import type { InspectOutcome, TargetOutcome, TargetPass } from '../compat/index.js';
import type { CompatInput, Escape } from './types.js';
import { ICON } from './icons.js';
import { escapeMarkdown, escapePlain } from './escape.js';

const pct = (x: number | null) => (x === null ? 'n/a' : `${x}%`);
const fmtFlops = (x: number | null) => (x === null ? 'n/a' : x >= 1e9 ? `${(x / 1e9).toFixed(2)} GFLOPs` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} MFLOPs` : `${Math.round(x)} FLOPs`);

function best(t: TargetOutcome): TargetPass {
  return t.fixed ?? t.asIs;
}

/** Unsupported nodes by op type: `GridSample (op-missing)` -> count. */
function unsupportedOps(p: TargetPass): Map<string, number> {
  const out = new Map<string, number>();
  for (const u of p.unsupported) {
    const k = `${u.domain ? `${u.domain}:` : ''}${u.op} (${u.reason})`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

function passLines(p: TargetPass, e: Escape): string[] {
  const c = p.coverage;
  const lines = [
    `  ${p.shapes === 'fixed' ? 'inputs fixed' : 'as declared '}: ${c.supportedNodes}/${c.nodes} nodes (${c.nodePercent}%), compute ${pct(c.computePercent)} of ${fmtFlops(c.flops)}` +
      `${c.unestimatedNodes ? ` (${c.unestimatedNodes} nodes not estimated)` : ''}, ${p.partitions} partition${p.partitions === 1 ? '' : 's'}${p.partitionSizes.length > 1 ? ` [${p.partitionSizes.join(', ')}]` : ''}`,
  ];
  const shown = p.unsupported.slice(0, 12);
  for (const u of shown) lines.push(`    - ${e(u.op)} '${e(u.name || '(unnamed)')}'${u.graph === 'main' ? '' : ` in ${e(u.graph)}`}: ${u.reason}: ${e(u.detail)}`);
  if (p.unsupported.length > shown.length) lines.push(`    - ... ${p.unsupported.length - shown.length} more (all of them in --json)`);
  return lines;
}

/** What `edgeml inspect` prints. */
export function inspectText(doc: InspectOutcome, e: Escape = escapePlain): string {
  const m = doc.model;
  const out = [`${e(m.name)}: opset ${m.opset}, ${m.nodes} nodes${m.subgraphNodes ? ` + ${m.subgraphNodes} in sub-graphs` : ''}`];
  for (const i of doc.inputs) out.push(`  input ${e(i.name)} [${i.declared.map((d) => e(String(d))).join(', ')}]${i.fixed ? ` fixed as ${i.fixed.join('x')}` : ''}`);
  out.push(`compute: ${e(doc.flopsMethod)}`, '');
  for (const t of doc.targets) {
    out.push(`${t.runs ? 'YES' : 'NO '} ${e(t.target)} — ${e(t.verdict.replace(/^(YES|NO): /, ''))}`);
    out.push(`  table: ${e(t.table.version)}, retrieved ${e(t.table.retrieved)}`);
    out.push(...passLines(t.asIs, e));
    if (t.fixed) out.push(...passLines(t.fixed, e));
    else out.push(`  inputs fixed: not checked (${e(t.fixedNote ?? '')})`);
    if (t.unchecked.length) {
      out.push(`  not checked (${t.unchecked.length}):`);
      for (const u of t.unchecked.slice(0, 6)) out.push(`    - ${e(u)}`);
      if (t.unchecked.length > 6) out.push(`    - ... ${t.unchecked.length - 6} more (in --json)`);
    }
    if (t.vendor) {
      const v = t.vendor;
      out.push(`  ${e(v.tool)} log ${e(v.log)}: ${v.agrees === null ? 'no verdict' : v.agrees ? 'agrees' : 'DISAGREES'} — ${e(v.summary)}`);
      for (const d of v.disagreements.slice(0, 12)) out.push(`    - ${e(d.node)} ${e(d.op)}: static ${e(d.static)}; runtime ${e(d.runtime)}`);
    }
    out.push('');
  }
  out.push(doc.pass ? 'every target takes the whole model' : `not every target takes the whole model: ${doc.targets.filter((t) => !t.runs).map((t) => e(t.target)).join(', ')}`);
  return `${out.join('\n')}\n`;
}

/** What changed for one target between the base's model and this PR's. */
export function compatChange(head: TargetOutcome, base: TargetOutcome | undefined, e: Escape = escapeMarkdown): string {
  if (!base) return 'new';
  const now = unsupportedOps(best(head));
  const before = unsupportedOps(best(base));
  const parts: string[] = [];
  for (const [k, n] of now) {
    const was = before.get(k) ?? 0;
    if (n > was) parts.push(`adds ${n - was}× ${e(k)} that ${e(head.target)} does not support`);
  }
  for (const [k, n] of before) {
    const is = now.get(k) ?? 0;
    if (is < n) parts.push(`removes ${n - is}× ${e(k)}`);
  }
  const dp = best(head).partitions - best(base).partitions;
  if (dp) parts.push(`partitions ${best(base).partitions} → ${best(head).partitions}`);
  if (head.runs !== base.runs) parts.push(head.runs ? 'now runs whole' : 'no longer runs whole');
  return parts.length ? parts.join('; ') : 'unchanged';
}

/** The PR comment's compatibility section: one row per target, with the change against base. */
export function compatMarkdown(head: InspectOutcome, base?: InspectOutcome, e: Escape = escapeMarkdown): string {
  const rows = head.targets.map((t) => {
    const p = best(t);
    const c = p.coverage;
    const ops = [...unsupportedOps(p)].map(([k, n]) => `${n}× ${e(k)}`).slice(0, 5).join(', ') || '—';
    const row = [
      e(t.target), t.runs ? '✅ yes' : '❌ no', `${c.supportedNodes}/${c.nodes} (${c.nodePercent}%)`, pct(c.computePercent), String(p.partitions), ops,
    ];
    if (base) row.push(compatChange(t, base.targets.find((b) => b.target === t.target), e));
    return row;
  });
  const header = ['target', 'runs whole', 'nodes', 'compute', 'partitions', 'unsupported'];
  if (base) header.push('vs base');
  const vendor = head.targets.filter((t) => t.vendor && t.vendor.agrees === false).map((t) => `> ⚠️ ${e(t.vendor!.tool)} disagrees with the static check for ${e(t.target)}: ${e(t.vendor!.summary)}`);
  return [`#### Operator compatibility: ${e(head.model.name)}`, '', markdownTable([header, ...rows]), ...(vendor.length ? ['', ...vendor] : [])].join('\n');
}

/**
 * One model's compatibility in the report: the table against the base, and a line per runtime that
 * could not be inspected (it failed, or its budgets are not judged: never an empty pass).
 */
export function compatSection(c: CompatInput, e: Escape = escapeMarkdown): string {
  const lines = c.failed.map((f) => `> ${f.fails ? ICON.fail : ICON['not judged']} ${e(f.target)}: not inspected: ${e(f.reason)}`);
  if (c.head && c.baseNote) lines.push(`> ${ICON['not judged']} vs base: not compared: ${e(c.baseNote)}`);
  if (!c.head) return [`#### Operator compatibility: ${e(c.model)}`, '', ...lines].join('\n');
  return [compatMarkdown(c.head, c.base, e), ...(lines.length ? ['', ...lines] : [])].join('\n');
}
