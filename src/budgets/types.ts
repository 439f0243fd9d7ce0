// One judged budget limit: a row of the check table, an annotation, an entry of the check document.
import type { Position } from '../config/index.js';

/**
 * pass / fail against the limit; inconclusive when the interval straddles it or data is short;
 * `not judged` when there was nothing to judge (no results for the selectors, the metric not
 * reported, no dataset). A budget that was not judged never counts as a pass.
 */
export type BudgetStatus = 'pass' | 'fail' | 'inconclusive' | 'not judged';
export const STATUSES: readonly BudgetStatus[] = ['pass', 'fail', 'inconclusive', 'not judged'];
/** What the status means for the run: failure (exit 1), warning, notice, ok. */
export type Outcome = 'ok' | 'notice' | 'warning' | 'failure';

export interface BudgetCheck {
  /** Index of the budget in edgeml.yml's budgets list. */
  budget: number;
  key: string;
  /** Model and device (or head vs base) the row is about, as one line. */
  subject: string;
  /** The judged result's model file name and device label, when the row judged one. */
  model?: string;
  /** The judged result's target (`source` for the source model). */
  target?: string;
  device?: string;
  /** The budget says `optional: true`: not judged is a notice, not a failure. */
  optional?: boolean;
  /** The results or compare file the value came from. */
  source: string;
  status: BudgetStatus;
  outcome: Outcome;
  level: 'error' | 'warn';
  /** Measured value in base units (ms, bytes, samples/s, fraction; relative change for regression). */
  value: number | null;
  interval?: [number, number] | null;
  limit: number;
  limitText: string;
  direction: 'max' | 'min';
  message?: string;
  note?: string;
  at: Position;
}
