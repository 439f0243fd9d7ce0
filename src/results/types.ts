// The results document: the contract between steps, jobs and devices (schemas/results.schema.json).
import type { DeviceInfo } from '../bench/device.js';
import type { ResolvedInput } from '../bench/inputs.js';
import type { ProfileSummary, QueryMode, Scenario, OptLevel } from '../bench/protocol.js';
import type { ModelFile } from '../model/index.js';
import type { EarlyStopping, LatencySummary } from '../stats/index.js';

export const RESULTS_SCHEMA = { name: 'edgeml-results', version: 1 } as const;

export type Interval = [number, number] | null;

export interface BenchSettings {
  warmup: number;
  minIterations: number;
  maxIterations: number;
  minDurationMs: number;
  maxDurationMs: number;
  samplesPerQuery: number;
  seed: number;
}

export interface BenchResults {
  schema: typeof RESULTS_SCHEMA;
  kind: 'bench';
  createdAt: string;
  tool: { name: 'edgeml'; version: string };
  model: ModelFile;
  runtime: { name: 'onnxruntime-node'; version: string; executionProvider: string; threads: number; optLevel: OptLevel };
  device: DeviceInfo;
  inputs: Array<Pick<ResolvedInput, 'name' | 'type' | 'shape' | 'source'> & { file?: string; value?: number }>;
  scenario: Scenario;
  /** How a query ran: one sample, several as one batched run, or several runs in turn. */
  queryMode: QueryMode;
  settings: BenchSettings;
  /** Timed queries. */
  iterations: number;
  durationMs: number;
  loadMs: number;
  firstRunMs: number;
  /** Per-query latency. For multi-stream a query is samplesPerQuery samples. */
  latencyMs: LatencySummary;
  /** Distribution-free 95% intervals (order statistics); null when too few queries. */
  latencyCi95Ms: { p50: Interval; p90: Interval };
  headline: { metric: 'latency.p90' | 'latency.p99' | 'throughput'; value: number; unit: 'ms' | 'samples/s' };
  throughputPerSec: number;
  memory: { baselineRssBytes: number; peakRssBytes: number; modelRssBytes: number };
  /** MLPerf early stopping at 99% confidence: p90 needs >= 64 queries, p99 >= 662. */
  percentileSufficient: { p90: boolean; p99: boolean };
  earlyStopping: { p90: EarlyStopping; p99: EarlyStopping };
  profile?: ProfileSummary;
  samplesMs?: number[];
}
