// One history entry: the results of one commit on one device, as stored on the data branch.
import type { Verdict } from '../compare/index.js';
import type { BenchResults } from '../results/index.js';

export const HISTORY_SCHEMA = { name: 'edgeml-history-entry', version: 1 } as const;

export interface HistoryResult {
  /** The model's name in reports (default: the file name without extension). */
  model: string;
  /** The artifact target it was measured as (default: the model format, `onnx` or `ort`). */
  target: string;
  bench: BenchResults;
  /** What `edgeml compare` said of this model on this commit against its base, if it ran. */
  verdict?: Verdict;
}

export interface BudgetLine {
  /** Metric key as in edgeml.yml budgets: latency.p50, latency.p90, latency.p99, memory.peak, size, throughput. */
  metric: string;
  /** In the metric's display unit: ms, MiB, samples/s. */
  limit: number;
  model?: string;
  target?: string;
}

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

/** Metrics charted per model, as (name, unit, how to read it from a bench document; null: not reported). */
export const METRICS: ReadonlyArray<{ key: string; title: string; unit: string; read: (b: BenchResults) => number | null }> = [
  { key: 'latency.p50', title: 'Latency p50', unit: 'ms', read: (b) => b.latencyMs.p50 },
  { key: 'latency.p90', title: 'Latency p90', unit: 'ms', read: (b) => b.latencyMs.p90 },
  { key: 'latency.p99', title: 'Latency p99', unit: 'ms', read: (b) => b.latencyMs.p99 },
  { key: 'throughput', title: 'Throughput', unit: 'samples/s', read: (b) => b.throughputPerSec },
  { key: 'memory.peak', title: 'Peak memory', unit: 'MiB', read: (b) => (b.memory.peakRssBytes === null ? null : b.memory.peakRssBytes / 2 ** 20) },
  { key: 'size', title: 'Model size', unit: 'MiB', read: (b) => b.model.bytes / 2 ** 20 },
];
