// The messages between the parent (runner.ts) and one measurement process (worker.ts).
import type { OptLevel, ProfileSummary, QueryMode, Scenario } from '../results/index.js';
import type { InputSpec, ResolvedInput } from '../tensors/index.js';

export type { OptLevel, ProfileSummary, QueryMode, Scenario };


export interface SessionSettings {
  /** Intra-op threads; 0 leaves ORT's default (one per physical core). */
  threads: number;
  executionProvider: string;
  optLevel: OptLevel;
}

export interface RunSettings {
  scenario: Scenario;
  warmup: number;
  minIterations: number;
  /** Stop after this many queries even if min-duration is not reached yet; 0 = no cap. */
  maxIterations: number;
  minDurationMs: number;
  maxDurationMs: number;
  /** Samples in one query: 1 for single-stream, N for multi-stream and offline. */
  samplesPerQuery: number;
  seed: number;
}

export interface WorkerRequest {
  model: string;
  inputs: InputSpec;
  session: SessionSettings;
  run: RunSettings;
  /** Write an ORT profile to this directory and summarise it instead of timing. */
  profileDir?: string;
}

export interface WorkerResult {
  runtimeVersion: string;
  inputs: ResolvedInput[];
  queryMode: QueryMode;
  loadMs: number;
  firstRunMs: number;
  /** Latency of each timed query in ms, in the order they ran. */
  samples: number[];
  /** Process CPU time per timed query, ms (all threads). */
  cpuMs?: number;
  durationMs: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  profile?: ProfileSummary;
}

export type WorkerMessage =
  | { type: 'progress'; phase: 'load' | 'warmup' | 'measure'; done: number; elapsedMs: number }
  | { type: 'result'; result: WorkerResult }
  | { type: 'error'; user: boolean; message: string };

/**
 * A paired measurement: base and head loaded side by side in one process, timed in alternating
 * batches with identical inputs, the order inside each pair drawn at random. It times pairs for
 * maxDurationMs (or until the parent sends 'stop') and streams them as it goes.
 */
export interface PairedRequest {
  kind: 'paired';
  base: string;
  head: string;
  inputs: InputSpec;
  session: SessionSettings;
  /** warmup, samplesPerQuery and seed as for one measurement; maxDurationMs ends it in any case. */
  run: RunSettings;
  /** Each arm's batch lasts about this long (at least one query). */
  batchMs: number;
  /** Which session is created first (alternated from process to process). */
  loadFirst: 'base' | 'head';
  /**
   * Standby: load, warm up and size the batches, send 'ready', then wait for 'go' before timing a
   * pair (the next process gets ready while the one before it measures).
   */
  hold?: boolean;
}

/** One pair: which arm ran first, the p50 / p90 of each arm's queries in its batch and CPU time per query (ms). */
export interface PairedBatch {
  first: 'base' | 'head';
  base: { p50: number; p90: number; cpu: number; iterations: number };
  head: { p50: number; p90: number; cpu: number; iterations: number };
}

export type PairedMessage =
  | { type: 'ready'; runtimeVersion: string; inputs: ResolvedInput[]; queriesPerBatch: number; queryMs: { base: number; head: number } }
  | { type: 'pairs'; pairs: PairedBatch[] }
  /** The two cannot be paired (their inputs differ): the parent falls back to separate processes. */
  | { type: 'unpairable'; reason: string }
  | { type: 'done' }
  | { type: 'error'; user: boolean; message: string };

export type ParentMessage = { type: 'stop' } | { type: 'go' };
