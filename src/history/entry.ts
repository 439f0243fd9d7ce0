// One history entry's schema name and the metrics charted (its types in types.ts).
import type { BenchResults } from '../results/index.js';

export const HISTORY_SCHEMA = { name: 'edgeml-history-entry', version: 1 } as const;

/** Metrics charted per model, as (name, unit, how to read it from a bench document; null: not reported). */
export const METRICS: ReadonlyArray<{ key: string; title: string; unit: string; read: (b: BenchResults) => number | null }> = [
  { key: 'latency.p50', title: 'Latency p50', unit: 'ms', read: (b) => b.latencyMs.p50 },
  { key: 'latency.p90', title: 'Latency p90', unit: 'ms', read: (b) => b.latencyMs.p90 },
  { key: 'latency.p99', title: 'Latency p99', unit: 'ms', read: (b) => b.latencyMs.p99 },
  { key: 'throughput', title: 'Throughput', unit: 'samples/s', read: (b) => b.throughputPerSec },
  { key: 'memory.peak', title: 'Peak memory', unit: 'MiB', read: (b) => (b.memory.peakRssBytes === null ? null : b.memory.peakRssBytes / 2 ** 20) },
  { key: 'size', title: 'Model size', unit: 'MiB', read: (b) => b.model.bytes / 2 ** 20 },
];
