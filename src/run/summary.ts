// The final table of `edgeml run`: one row per model x target x device, from the merged report.
import { markdownTable } from 'markdown-table';
import { ICON, fmtBytes, fmtMs, type Report } from '../report/index.js';

export interface SummaryRow {
  model: string;
  target: string;
  device: string;
  p50Ms: number | null;
  p90Ms: number | null;
  peakRssBytes: number | null;
  bytes: number | null;
  accuracy: Record<string, number>;
  /** Against the source (artifacts only). */
  fidelity?: { cosine: number; top1Agreement: number | null };
  /** Why a configured target could not be made (its row has no measurements). */
  notMade?: { reason: string; optional: boolean };
  /** compare's verdict against the base: the source's, and with compare.artifacts each target's. */
  verdict?: string;
  /** By status, as `edgeml check` counts them. */
  budgets: { pass: number; fail: number; inconclusive: number; notJudged: number };
}

export function summaryRows(report: Report): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const m of report.models) {
    for (const r of m.rows) {
      const b = r.bench;
      const count = (s: string) => r.budgets.filter((x) => x.status === s).length;
      rows.push({
        model: m.name,
        target: r.target,
        device: r.device,
        p50Ms: b?.latencyMs.p50 ?? r.compare?.head.latencyMs.p50 ?? null,
        p90Ms: b?.latencyMs.p90 ?? r.compare?.head.latencyMs.p90 ?? null,
        peakRssBytes: b?.memory.peakRssBytes ?? null,
        bytes: b?.model.bytes ?? null,
        accuracy: Object.fromEntries(Object.entries(b?.accuracy ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number')),
        ...(b?.fidelity ? { fidelity: { cosine: b.fidelity.cosine, top1Agreement: b.fidelity.top1Agreement } } : {}),
        ...(r.notMade ? { notMade: r.notMade } : {}),
        ...(r.compare ? { verdict: r.compare.verdict } : {}),
        budgets: { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive'), notJudged: count('not judged') },
      });
    }
  }
  return rows;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Plain text for a terminal or a log (the PR comment is the full report). */
export function summaryTable(rows: SummaryRow[], verdict: string): string {
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.accuracy)))];
  const header = ['model', 'target', 'device', 'p50', 'p90', 'peak RSS', 'size', ...metrics, 'fidelity', 'vs base', 'budgets'];
  const body = rows.map((r) => {
    const b = r.budgets;
    const budgets = [b.fail && `${ICON.fail} ${b.fail} fail`, b.notJudged && `${ICON['not judged']} ${b.notJudged} not judged`, b.inconclusive && `${ICON.inconclusive} ${b.inconclusive} inconclusive`, b.pass && `${ICON.pass} ${b.pass} pass`].filter(Boolean).join(', ');
    const f = r.fidelity;
    const fidelity = f ? `cos ${f.cosine.toFixed(4)}${f.top1Agreement === null ? '' : `, top-1 ${pct(f.top1Agreement)}`}` : '';
    if (r.notMade) {
      const what = `${r.notMade.optional ? ICON['not judged'] : ICON.fail} not made${r.notMade.optional ? ' (optional)' : ''}: ${r.notMade.reason}`;
      return [r.model, r.target, what, ...new Array<string>(header.length - 5).fill(''), budgets];
    }
    return [
      r.model, r.target, r.device, r.p50Ms === null ? '' : fmtMs(r.p50Ms), r.p90Ms === null ? '' : fmtMs(r.p90Ms),
      r.peakRssBytes === null ? '' : fmtBytes(r.peakRssBytes), r.bytes === null ? '' : fmtBytes(r.bytes),
      ...metrics.map((k) => (r.accuracy[k] === undefined ? '' : k.startsWith('top') ? pct(r.accuracy[k]) : r.accuracy[k].toPrecision(4))),
      fidelity, r.verdict ?? '', budgets,
    ];
  });
  const align = header.map((_, i) => (i > 2 && i < header.length - 2 ? 'r' : 'l'));
  return `${markdownTable([header, ...body], { align })}\n\nverdict: ${verdict}`;
}
