// The report area's types that other areas use (index.ts exports them).
// Types only: nothing here runs.

import type { BudgetCheck, BudgetStatus } from '../budgets/index.js';
import type { Verdict } from '../compare/index.js';
import type { InspectFailure, InspectOutcome } from '../compat/index.js';
import type { HistoryEntry } from '../history/index.js';
import type { BenchResults } from '../results/index.js';

export type Interval = [number, number] | null;

/** One side of a comparison, as the report shows it. */
export interface BenchSummary {
  model: { name: string; bytes?: number; sha256?: string; format?: string };
  runtime?: { version?: string; executionProvider?: string };
  device: { label: string; fingerprint?: string };
  /** Medians over the interleaved rounds of each round's percentile. */
  latencyMs: { p50: number; p90: number; p99?: number };
  latencyCi95Ms?: { p50?: Interval; p90?: Interval };
  throughputPerSec?: number;
  memory?: { peakRssBytes?: number };
  /** Raw per-query latencies, when kept: drawn as a distribution. */
  samplesMs?: number[];
}

/** Head over base of one percentile: estimate and 95% interval. */
export interface RatioEstimate {
  estimate: number;
  ci95: Interval;
}

export interface CompareDoc {
  kind: 'compare';
  /** The optimize target whose artifacts were compared; absent when the source models were. */
  target?: string;
  verdict: Verdict;
  ratio: { p50: RatioEstimate; p90: RatioEstimate };
  /** Interleaved base/head rounds measured. */
  rounds: number;
  /** Relative change that counts as a regression, e.g. 0.05. */
  threshold: number;
  base: BenchSummary;
  head: BenchSummary;
}

/** A judged budget (a row of the check document, budgets' BudgetCheck) as the report shows it. */
export interface BudgetRow {
  key: string;
  /** In the budget's base unit (ms, bytes, samples/s, fraction; relative change for regression). */
  value: number | null;
  limit: number | null;
  /** The limit as edgeml.yml writes it ("10ms", "200MB"). */
  limitText?: string;
  direction?: 'max' | 'min';
  status: BudgetStatus;
  /** What the status means for the run: failure fails it (a fail or not judged at level error). */
  outcome: BudgetCheck['outcome'];
  level: string;
  /** The budget says optional: true (not judged is a notice). */
  optional?: boolean;
  message: string;
  /** Which result the budget judged (or, not judged, which it selected). */
  model?: string;
  target?: string;
  device?: string;
}

export interface CheckDoc {
  kind: 'check';
  budgets: BudgetRow[];
}

/** Every document a report is built from, each kept with the file it came from. */
export interface ReportInputs {
  results: Array<{ file: string; doc: BenchResults }>;
  compare: Array<{ file: string; doc: CompareDoc }>;
  check: Array<{ file: string; doc: CheckDoc }>;
  /** Configured targets that could not be made (from `edgeml run`, which knows the config). */
  notMade?: Array<{ model: string; target: string; reason: string; optional: boolean }>;
  /** Operator compatibility per model (from `edgeml run`): this PR's inspection, the base's, and the runtimes not inspected. */
  compat?: CompatInput[];
}

export interface CompatInput {
  model: string;
  head?: InspectOutcome;
  base?: InspectOutcome;
  /** Why the base's model is not compared although there is one (it could not be inspected). */
  baseNote?: string;
  failed: InspectFailure[];
}

export type ReportStatus = 'pass' | 'fail' | 'inconclusive' | 'none';

/** One target on one device: the bench result, the comparison, the budgets that judged it. */
export interface Row {
  target: string;
  device: string;
  bench?: BenchResults;
  compare?: CompareDoc;
  budgets: BudgetRow[];
  /** A configured target that could not be made: why, and whether the config marks it optional. */
  notMade?: { reason: string; optional: boolean };
  /** p90 of the last main-branch runs of this row on the same device fingerprint, oldest first. */
  trend?: number[];
}

export interface ModelGroup {
  name: string;
  rows: Row[];
}

export interface Report {
  status: ReportStatus;
  counts: {
    results: number;
    models: number;
    devices: number;
    /** By status, as `edgeml check` counts them. */
    budgets: Record<BudgetStatus, number>;
    verdicts: Record<Verdict, number>;
  };
  models: ModelGroup[];
  /** Every budget of every check document, in order. */
  budgets: BudgetRow[];
  /** Results that measured the same model, target and device as a later one, and were left out. */
  duplicates: string[];
  /** The benchmark dashboard (https), linked from the headline. */
  dashboardUrl?: string;
  /** Devices the workflow expected (its matrix) that have no row, each with why. */
  missing?: MissingDevice[];
  /** Operator compatibility per model, by model name. */
  compat?: CompatInput[];
}

export interface MissingDevice {
  device: string;
  reason: string;
}

export interface ReportOptions {
  /** The benchmark history (a checkout of the data branch), for a trend per row. */
  history?: HistoryEntry[];
  dashboardUrl?: string;
  trendPoints?: number;
  /** The devices that should have reported (a matrix), and why one that has no row did not. */
  expected?: { devices: string[]; reason: string };
}

/** One part of the report; `cut` says what may go when the comment is too long (details first). */
export interface Section {
  kind: 'headline' | 'model' | 'charts' | 'budgets' | 'details';
  text: string;
}

export type Escape = (text: string) => string;
