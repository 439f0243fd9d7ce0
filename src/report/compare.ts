// A comparison as Markdown: the verdict line, the ratio table and the exact quantities.
import { markdownTable } from 'markdown-table';
import { decidingRatio, type CompareMetric, type CompareResults, type RatioResult } from '../compare/index.js';
import { escapeMarkdown } from './escape.js';
import type { Escape } from './types.js';
import { fmtBytes, fmtMs } from './format.js';

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return 'n/a';
  const pct = (r - 1) * 100;
  return `${r.toFixed(3)} (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`;
}

function fmtCi(r: RatioResult, sameFile = false): string {
  if (sameFile) return 'same file';
  return r.ci95 ? `${r.ci95[0].toFixed(3)} – ${r.ci95[1].toFixed(3)}` : 'too few rounds';
}

/** The design line: which design decided, on how many rounds, and how wide the interval got. */
export function designLine(c: CompareResults): string {
  const d = c.design;
  if (d.used === 'same-file') return 'design: same file (same sha256), not measured';
  const what = d.used === 'paired' ? `paired, ${d.pairs ?? '?'} paired batches of ${d.queriesPerBatch ?? '?'} queries in ${c.rounds} processes` : d.used === 'processes' ? `separate processes, ${c.rounds} rounds` : `against stored results, ${c.rounds} head runs`;
  const width = c.intervalWidth !== null ? `interval width ${(c.intervalWidth * 100).toFixed(1)}%` : `no interval: ${c.noInterval ?? 'too few rounds'}`;
  return `design: ${what} (${d.reason}) · ${width}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function compareMarkdown(c: CompareResults, e: Escape = escapeMarkdown): string {
  const t = `${(c.threshold * 100).toFixed(1).replace(/\.0$/, '')}%`;
  const same = c.design.used === 'same-file';
  const why = c.stopped === 'decided' ? 'decided' : c.stopped === 'same-file' ? 'same file' : c.stopped === 'max-rounds' ? 'stopped at --max-rounds' : 'stopped at --max-duration';
  const head = [
    same
      ? `**unchanged (same file)** · base and head have the same sha256, threshold ±${t}`
      : `**${c.verdict}** · ${c.metric} head/base ${fmtRatio(decidingRatio(c).estimate)}, 95% interval ${fmtCi(decidingRatio(c))}, threshold ±${t}`,
    `**${e(c.head.model.name)}** vs **${e(c.base.model.name)}**${c.mode === 'stored-base' ? ` (stored results ${e(c.base.results ?? '')})` : ''} on **${e(c.device.label)}** · ${c.rounds} rounds, ${c.looks} looks, ${(c.durationMs / 1000).toFixed(1)} s, ${why}`,
  ];
  head.push(e(designLine(c)));
  for (const w of c.plan.warnings) head.push(`⚠ ${e(w)}`);
  if (c.differentDevice) head.push(`⚠ base measured elsewhere (allowed by --allow-different-device): ${e(c.differentDevice.base)}`);
  const arm = (who: 'base' | 'head', m: CompareMetric) => {
    const xs = c.measurements.map((r) => r[who]?.[m]).filter((x): x is number => x !== undefined);
    if (same) return 'same file';
    return xs.length ? fmtMs(median(xs)) : 'n/a';
  };
  const rows = [
    ['metric', 'base (median of runs)', 'head (median of runs)', 'head/base', '95% interval', 'verdict'],
    ...(['p50', 'p90', 'cpu'] as const).flatMap((m) => {
      const r = c.ratio[m];
      if (!r) return [];
      const name = m === 'cpu' ? 'CPU time per query' : m;
      return [[`${name}${m === c.metric ? ' (decides)' : ''}`, arm('base', m), arm('head', m), fmtRatio(r.estimate), fmtCi(r, same), same ? 'unchanged (same file)' : r.verdict]];
    }),
  ];
  const exact = [
    ['exact', 'base', 'head', ''],
    ...c.exact.map((x) => {
      const show = (v: string | number) => (x.quantity === 'bytes' ? fmtBytes(Number(v)) : x.quantity === 'sha256' ? `\`${String(v).slice(0, 12)}\`` : e(String(v)));
      return [x.quantity, show(x.base), show(x.head), x.same ? 'same' : 'differs'];
    }),
  ];
  const parts = [head.join('  \n'), '', markdownTable(rows, { align: ['l', 'r', 'r', 'r', 'r', 'l'] }), '', markdownTable(exact, { align: ['l', 'l', 'l', 'l'] })];
  if (same) parts.push('', '> base and head are the same file: not measured.');
  parts.push('', `> ${e(c.method.estimate)}; ${e(c.method.interval)}; ${e(c.method.sequential)}.`);
  return parts.join('\n');
}
