// The check as Markdown: one line of counts, then every budget with value, limit and status.
import { markdownTable } from 'markdown-table';
import type { BudgetCheck } from '../budgets/index.js';
import { escapeMarkdown } from './escape.js';
import type { Escape } from './types.js';
import { STATUSES } from '../budgets/index.js';
import { inUnitOf, limitOf } from '../units.js';
import { budgetStatusCell } from './icons.js';

/** A budget value in the unit of its limit (`limitText` as edgeml.yml writes it). */
export function fmtBudgetValue(key: string, v: number | null, limitText: string): string {
  return inUnitOf(key, v, limitText);
}

/** "3 pass, 1 fail, 0 inconclusive, 1 not judged": the same counts in check, report and run. */
export function budgetCounts(statuses: Array<BudgetCheck['status']>): string {
  return STATUSES.map((s) => `${statuses.filter((x) => x === s).length} ${s}`).join(', ');
}

export function checkMarkdown(checks: BudgetCheck[], verdict: 'pass' | 'fail', e: Escape = escapeMarkdown, extra: string[] = []): string {
  const headline = `**budgets: ${verdict}** · ${budgetCounts(checks.map((c) => c.status))}`;
  const rows = [
    ['budget', 'on', 'value', '95% interval', 'limit', 'status', 'level', 'line'],
    ...checks.map((c) => [
      e(c.key), e(c.subject), fmtBudgetValue(c.key, c.value, c.limitText),
      c.interval ? `${fmtBudgetValue(c.key, c.interval[0], c.limitText)} – ${fmtBudgetValue(c.key, c.interval[1], c.limitText)}` : '',
      e(limitOf(c.direction, c.limitText)), budgetStatusCell(c.status, c.outcome), c.level, `${e(c.at.file)}:${c.at.line}`,
    ]),
  ];
  const notes = checks
    .filter((c) => c.status !== 'pass' && (c.note || c.message))
    .map((c) => `> ${e(c.key)} (${e(c.subject)}): ${[c.status === 'fail' ? c.message : undefined, c.note].filter(Boolean).map((t) => e(String(t))).join('; ')}`);
  return [headline, ...extra.map(e), '', checks.length ? markdownTable(rows, { align: ['l', 'l', 'r', 'r', 'r', 'l', 'l', 'l'] }) : 'No budgets in the config.', ...(notes.length ? ['', ...notes] : [])].join('\n');
}
