// The one icon set of every table edgeml writes: check, report, run's summary and the docs.
// An icon means one thing everywhere; ⚠️ is a warning (a warn-level budget that failed), never doubt.
import type { BudgetStatus, Outcome } from '../budgets/index.js';

export const ICON = {
  pass: '✅',
  fail: '❌',
  /** The 95% interval straddles the limit, or too few queries to tell. */
  inconclusive: '❔',
  /** Nothing to judge: no results, the metric not reported, no dataset, no base. */
  'not judged': '🚫',
  /** A failed budget at level warn. */
  warning: '⚠️',
  faster: '🚀',
  /** Measured, with nothing to judge it against. */
  measured: '📊',
} as const;

/** A budget row's status as a cell: `❌ fail`, `⚠️ fail (warn)` when the budget's level is warn. */
export function budgetStatusCell(status: BudgetStatus, outcome: Outcome): string {
  if (status === 'fail' && outcome === 'warning') return `${ICON.warning} fail (warn)`;
  if (status === 'not judged' && outcome === 'notice') return `${ICON['not judged']} not judged (optional)`;
  return `${ICON[status]} ${status}`;
}
