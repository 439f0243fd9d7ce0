// The results document: the contract between steps, jobs and devices (schemas/results.schema.json).
import type { ResolvedInput } from '../tensors/index.js';
import type { ModelFile } from '../model/index.js';
import type { EarlyStopping } from '../stats/index.js';

export const RESULTS_SCHEMA = { name: 'edgeml-results', version: 1 } as const;

export type Interval = [number, number] | null;

export type Scenario = 'single-stream' | 'multi-stream' | 'offline';
/** How a query runs: one sample, several as one batched run, or several runs in turn. */
export type QueryMode = 'single' | 'batched' | 'sequential';
export type OptLevel = 'disabled' | 'basic' | 'extended' | 'layout' | 'all';

/** The device a measurement ran on. */
export interface DeviceInfo {
  /** Stable id of the hardware and OS kind: equal ids mean comparable measurements. */
  fingerprint: string;
  label: string;
  os: string;
  osRelease: string;
  arch: string;
  cpuModel: string;
  cpuFlags: string[];
  cores: number;
  memoryBytes: number;
  node: string;
  runner?: { name: string; os?: string; arch?: string; labels: string[] };
}

export interface ProfileSummary {
  runs: number;
  /** Kernel time per run, by op type, largest first. */
  byOpType: Array<{ opType: string; ms: number; share: number; nodes: number }>;
  byProvider: Array<{ provider: string; ms: number; share: number }>;
  topNodes: Array<{ node: string; opType: string; provider: string; ms: number; share: number }>;
}

/** onnxruntime-node runs in process; the others through their vendor's benchmark tool. */
export type RuntimeName = 'onnxruntime-node' | 'tensorrt' | 'openvino' | 'tflite';
export type Precision = 'fp32' | 'fp16' | 'int8';

/** Latency statistics; a figure is null when the vendor tool that measured does not report it. */
export interface ReportedLatencySummary {
  mean: number | null;
  stddev: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

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
  runtime: {
    name: RuntimeName;
    version: string;
    executionProvider: string;
    threads: number;
    /** ONNX Runtime only. */
    optLevel?: OptLevel;
    precision?: Precision;
    /** The vendor tool that measured (absent for onnxruntime-node). */
    tool?: { name: 'trtexec' | 'benchmark_app' | 'benchmark_model'; version: string | null; path: string };
  };
  device: DeviceInfo;
  inputs: Array<Pick<ResolvedInput, 'name' | 'type' | 'shape' | 'source'> & { file?: string; value?: number }>;
  scenario: Scenario;
  /** How a query ran: one sample, several as one batched run, or several runs in turn. */
  queryMode: QueryMode;
  settings: BenchSettings;
  /** Timed queries. */
  iterations: number;
  /** null where a vendor tool does not report the figure (the table says "not reported"). */
  durationMs: number | null;
  loadMs: number | null;
  firstRunMs: number | null;
  /** Per-query latency. For multi-stream a query is samplesPerQuery samples. */
  latencyMs: ReportedLatencySummary;
  /** Distribution-free 95% intervals (order statistics); null when too few queries. */
  latencyCi95Ms: { p50: Interval; p90: Interval };
  /** latency.p50 / latency.mean only when a vendor tool reports no p90. */
  headline: { metric: 'latency.p90' | 'latency.p99' | 'latency.p50' | 'latency.mean' | 'throughput'; value: number; unit: 'ms' | 'samples/s' };
  throughputPerSec: number | null;
  /** Vendor tools: peak is the tool process's polled VmHWM (Linux), model what the tool reports. */
  memory: { baselineRssBytes: number | null; peakRssBytes: number | null; modelRssBytes: number | null };
  /** MLPerf early stopping at 99% confidence: p90 needs >= 64 queries, p99 >= 662. */
  percentileSufficient: { p90: boolean; p99: boolean };
  earlyStopping: { p90: EarlyStopping; p99: EarlyStopping };
  profile?: ProfileSummary;
  samplesMs?: number[];
  /** The edgeml optimize target of an artifact; absent for the source model. */
  target?: string;
  /** Merged in by `edgeml eval --labels --results`; budgets `accuracy.<metric>` read it. */
  accuracy?: AccuracyResults;
  /** Merged in by `edgeml eval --reference --results`; budgets `fidelity.<metric>` read it. */
  fidelity?: FidelityResults;
}

export interface DatasetRef {
  /** The inputs file or image manifest (`NAME=file,...` for several inputs). */
  path: string;
  /** Of the inputs file; of the `name sha256` lines of every input file when there are several. */
  sha256: string;
  samples: number;
  labels?: { path: string; sha256: string };
}

/** Metric name -> value (top1/top5 fractions, mae/rmse in output units), and what they were measured on. */
export interface AccuracyResults {
  top1?: number;
  top5?: number;
  mae?: number;
  rmse?: number;
  dataset: DatasetRef;
}

export interface FidelityResults {
  cosine: number;
  /** null when an output was NaN or infinite. */
  maxAbsError: number | null;
  top1Agreement: number | null;
  samples: number;
  reference: { path: string; sha256: string };
}
