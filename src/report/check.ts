// The check as Markdown: one line of counts, then every budget with value, limit and status.
import { markdownTable } from 'markdown-table';
import type { BudgetCheck } from '../budgets/types.js';
import { escapeMarkdown, type Escape } from './escape.js';
import { fmtBytes, fmtMs, fmtRate } from './format.js';

const ICON: Record<BudgetCheck['status'], string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠️ inconclusive', skipped: '➖ skipped' };

/** A value in the unit its key is written in. */
export function fmtBudgetValue(key: string, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  if (key.startsWith('latency.')) return fmtMs(v);
  if (key === 'memory.peak' || key === 'size') return fmtBytes(v);
  if (key === 'throughput') return fmtRate(v);
  if (key.startsWith('regression.')) return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
  return v <= 1 ? `${(v * 100).toFixed(2)}%` : String(v);
}

export function checkMarkdown(checks: BudgetCheck[], verdict: 'pass' | 'fail', e: Escape = escapeMarkdown, extra: string[] = []): string {
  const n = (s: BudgetCheck['status']) => checks.filter((c) => c.status === s).length;
  const headline = `**budgets: ${verdict}** · ${n('pass')} pass, ${n('fail')} fail, ${n('inconclusive')} inconclusive${n('skipped') ? `, ${n('skipped')} skipped` : ''}`;
  const rows = [
    ['budget', 'on', 'value', '95% interval', 'limit', 'status', 'level', 'line'],
    ...checks.map((c) => [
      e(c.key), e(c.subject), fmtBudgetValue(c.key, c.value),
      c.interval ? `${fmtBudgetValue(c.key, c.interval[0])} – ${fmtBudgetValue(c.key, c.interval[1])}` : '',
      `${c.direction === 'max' ? '≤' : '≥'} ${e(c.limitText.replace(/^(>=|<=)\s*/, ''))}`, ICON[c.status], c.level, `${e(c.at.file)}:${c.at.line}`,
    ]),
  ];
  const notes = checks
    .filter((c) => c.status !== 'pass' && (c.note || c.message))
    .map((c) => `> ${e(c.key)} (${e(c.subject)}): ${[c.status === 'fail' ? c.message : undefined, c.note].filter(Boolean).map((t) => e(String(t))).join('; ')}`);
  return [headline, ...extra.map(e), '', checks.length ? markdownTable(rows, { align: ['l', 'l', 'r', 'r', 'r', 'l', 'l', 'l'] }) : 'No budgets in the config.', ...(notes.length ? ['', ...notes] : [])].join('\n');
}
