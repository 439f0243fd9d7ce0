// The history area's types that other areas use (index.ts exports them).
// Types only: nothing here runs.

import type { Verdict } from '../compare/index.js';
import type { BenchResults } from '../results/index.js';
import type { HISTORY_SCHEMA } from './entry.js';

/** One model's results in an entry. */
export interface HistoryResult {
  /** The model's name in reports (default: the file name without extension). */
  model: string;
  /** The artifact target it was measured as (default: the model format, `onnx` or `ort`). */
  target: string;
  bench: BenchResults;
  /** What `edgeml compare` said of this model on this commit against its base, if it ran. */
  verdict?: Verdict;
}

/** A budget drawn on the charts. */
export interface BudgetLine {
  /** Metric key as in edgeml.yml budgets: latency.p50, latency.p90, latency.p99, memory.peak, size, throughput. */
  metric: string;
  /** In the metric's display unit: ms, MiB, samples/s. */
  limit: number;
  model?: string;
  target?: string;
}

/** One history entry: the results of one commit on one device, as stored on the data branch. */
export interface HistoryEntry {
  schema: typeof HISTORY_SCHEMA;
  commit: string;
  ref: string;
  /** Commit time, ISO 8601: the order of points on every chart. */
  timestamp: string;
  /** Link to the commit, https only. */
  url?: string;
  device: { label: string; fingerprint: string };
  results: HistoryResult[];
  budgets?: BudgetLine[];
}
