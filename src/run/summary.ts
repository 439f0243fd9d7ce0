// The final table of `edgeml run`: one row per model x target x device, from the merged report.
import { markdownTable } from 'markdown-table';
import type { ArtifactRecord } from '../optimize/index.js';
import { fmtBytes, fmtMs, type Report } from '../report/index.js';

export interface SummaryRow {
  model: string;
  target: string;
  device: string;
  p50Ms: number | null;
  p90Ms: number | null;
  peakRssBytes: number | null;
  bytes: number | null;
  accuracy: Record<string, number>;
  /** compare's verdict against the base: the source's, and with compare.artifacts each target's. */
  verdict?: string;
  budgets: { pass: number; fail: number; warn: number; inconclusive: number };
}

export function summaryRows(report: Report, artifacts: Map<string, ArtifactRecord[]>): SummaryRow[] {
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
        ...(r.compare ? { verdict: r.compare.verdict } : {}),
        budgets: { pass: count('pass'), fail: count('fail'), warn: count('warn'), inconclusive: count('inconclusive') },
      });
    }
    for (const a of artifacts.get(m.name) ?? []) {
      if (a.status === 'failed') {
        rows.push({ model: m.name, target: `${a.target} (not made)`, device: '', p50Ms: null, p90Ms: null, peakRssBytes: null, bytes: null, accuracy: {}, budgets: { pass: 0, fail: 0, warn: 0, inconclusive: 0 } });
      }
    }
  }
  return rows;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Plain text for a terminal or a log (the PR comment is the full report). */
export function summaryTable(rows: SummaryRow[], verdict: string): string {
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.accuracy)))];
  const header = ['model', 'target', 'device', 'p50', 'p90', 'peak RSS', 'size', ...metrics, 'vs base', 'budgets'];
  const body = rows.map((r) => {
    const b = r.budgets;
    const budgets = [b.fail && `${b.fail} fail`, b.warn && `${b.warn} warn`, b.inconclusive && `${b.inconclusive} inconclusive`, b.pass && `${b.pass} pass`].filter(Boolean).join(', ');
    return [
      r.model, r.target, r.device, r.p50Ms === null ? '' : fmtMs(r.p50Ms), r.p90Ms === null ? '' : fmtMs(r.p90Ms),
      r.peakRssBytes === null ? '' : fmtBytes(r.peakRssBytes), r.bytes === null ? '' : fmtBytes(r.bytes),
      ...metrics.map((k) => (r.accuracy[k] === undefined ? '' : k.startsWith('top') ? pct(r.accuracy[k]) : r.accuracy[k].toPrecision(4))),
      r.verdict ?? '', budgets,
    ];
  });
  const align = header.map((_, i) => (i > 2 && i < header.length - 2 ? 'r' : 'l'));
  return `${markdownTable([header, ...body], { align })}\n\nverdict: ${verdict}`;
}
