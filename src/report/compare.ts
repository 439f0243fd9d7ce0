// A comparison as Markdown: the verdict line, the ratio table and the exact quantities.
import { markdownTable } from 'markdown-table';
import type { CompareResults, RatioResult } from '../compare/types.js';
import { escapeMarkdown, type Escape } from './escape.js';
import { fmtBytes, fmtMs } from './format.js';

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return 'n/a';
  const pct = (r - 1) * 100;
  return `${r.toFixed(3)} (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)`;
}

function fmtCi(r: RatioResult): string {
  return r.ci95 ? `${r.ci95[0].toFixed(3)} – ${r.ci95[1].toFixed(3)}` : 'too few rounds';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function compareMarkdown(c: CompareResults, e: Escape = escapeMarkdown): string {
  const t = `${(c.threshold * 100).toFixed(1).replace(/\.0$/, '')}%`;
  const why = c.stopped === 'decided' ? 'decided' : c.stopped === 'max-rounds' ? 'stopped at --max-rounds' : 'stopped at --max-duration';
  const head = [
    `**${c.verdict}** · ${c.metric} head/base ${fmtRatio(c.ratio[c.metric].estimate)}, 95% interval ${fmtCi(c.ratio[c.metric])}, threshold ±${t}`,
    `**${e(c.head.model.name)}** vs **${e(c.base.model.name)}**${c.mode === 'stored-base' ? ` (stored results ${e(c.base.results ?? '')})` : ''} on **${e(c.device.label)}** · ${c.rounds} rounds, ${c.looks} looks, ${(c.durationMs / 1000).toFixed(1)} s, ${why}`,
  ];
  if (c.differentDevice) head.push(`⚠ base measured elsewhere (allowed by --allow-different-device): ${e(c.differentDevice.base)}`);
  const arm = (who: 'base' | 'head', m: 'p50' | 'p90') => {
    const xs = c.measurements.map((r) => r[who]?.[m]).filter((x): x is number => x !== undefined);
    return xs.length ? fmtMs(median(xs)) : 'n/a';
  };
  const rows = [
    ['metric', 'base (median of runs)', 'head (median of runs)', 'head/base', '95% interval', 'verdict'],
    ...(['p50', 'p90'] as const).map((m) => [
      `${m}${m === c.metric ? ' (decides)' : ''}`, arm('base', m), arm('head', m), fmtRatio(c.ratio[m].estimate), fmtCi(c.ratio[m]), c.ratio[m].verdict,
    ]),
  ];
  const exact = [
    ['exact', 'base', 'head', ''],
    ...c.exact.map((x) => {
      const show = (v: string | number) => (x.quantity === 'bytes' ? fmtBytes(Number(v)) : x.quantity === 'sha256' ? `\`${String(v).slice(0, 12)}\`` : e(String(v)));
      return [x.quantity, show(x.base), show(x.head), x.same ? 'same' : 'differs'];
    }),
  ];
  const parts = [head.join('  \n'), '', markdownTable(rows, { align: ['l', 'r', 'r', 'r', 'r', 'l'] }), '', markdownTable(exact, { align: ['l', 'l', 'l', 'l'] })];
  if (c.exact.find((x) => x.quantity === 'sha256')?.same) parts.push('', '> base and head are the same file: any difference above is noise.');
  parts.push('', `> ${e(c.method.estimate)}; ${e(c.method.interval)}; ${e(c.method.sequential)}.`);
  return parts.join('\n');
}
