// The compare document (schemas/compare.schema.json): what `edgeml compare --json` writes and
// what `edgeml check --compare` and the PR report read back.
import type { BenchOptions } from '../bench/index.js';
import type { SettingNames } from '../errors.js';
import type { ModelFile } from '../model/index.js';
import type { BenchResults, BenchSettings, DeviceInfo } from '../results/index.js';

export const COMPARE_SCHEMA = { name: 'edgeml-compare', version: 1 } as const;

export type Verdict = 'slower' | 'faster' | 'unchanged' | 'inconclusive';
export const VERDICTS: Verdict[] = ['slower', 'faster', 'unchanged', 'inconclusive'];
/** p50, p90: of wall-clock latency; cpu: CPU time per query (process CPU time, all threads). */
export type CompareMetric = 'p50' | 'p90' | 'cpu';
export const COMPARE_METRICS: CompareMetric[] = ['p50', 'p90', 'cpu'];
/** The ratios of a comparison: cpu only where both arms were measured here. */
export interface Ratios {
  p50: RatioResult;
  p90: RatioResult;
  cpu?: RatioResult;
}

export interface RatioResult {
  /** head / base: 1.10 is 10% slower. */
  estimate: number;
  /** 95% interval, simultaneous over every look of the run; null when too few rounds. */
  ci95: [number, number] | null;
  /** Confidence level of this look's own interval (the 95% spent across looks). */
  lookLevel: number | null;
  verdict: Verdict;
}

export interface ArmMeasurement {
  p50: number;
  p90: number;
  /** CPU time per query, ms (process CPU time over the measurement / queries). */
  cpu?: number;
  iterations: number;
}

export interface Round {
  /** Which arm ran first in this round: alternates (processes), drawn at random (paired). */
  first: 'base' | 'head';
  /** null in stored-base mode, where the base is one stored run. */
  base: ArmMeasurement | null;
  head: ArmMeasurement;
}

export interface ExactComparison {
  quantity: 'bytes' | 'sha256' | 'inputs' | 'format';
  base: string | number;
  head: string | number;
  same: boolean;
}

/**
 * How latency was measured. paired: base and head sessions in one process, alternating short
 * batches in random order; processes: a fresh process per measurement, alternating; stored-base:
 * head against a stored results document; same-file: identical files (same sha256), not measured.
 */
export type Design = 'paired' | 'processes' | 'stored-base' | 'same-file';
export const DESIGNS: Design[] = ['paired', 'processes', 'stored-base', 'same-file'];
/** What --design asks for: auto pairs where it can and says why not where it cannot. */
export type DesignChoice = 'auto' | 'paired' | 'processes';
export const DESIGN_CHOICES: DesignChoice[] = ['auto', 'paired', 'processes'];

export interface CompareResults {
  schema: typeof COMPARE_SCHEMA;
  kind: 'compare';
  createdAt: string;
  tool: { name: 'edgeml'; version: string };
  /** interleaved: base and head measured in alternating rounds here; stored-base: head vs a results document. */
  mode: 'interleaved' | 'stored-base';
  verdict: Verdict;
  /** The percentile whose ratio decides the verdict. */
  metric: CompareMetric;
  /** Relative change that counts: 0.05 = 5%. */
  threshold: number;
  /** Which design measured, and why that one. */
  design: { used: Design; reason: string; queriesPerBatch?: number; pairs?: number; standby?: boolean };
  /** Rounds: paired processes (paired), pairs of processes (processes) or head runs (stored-base). */
  rounds: number;
  looks: number;
  /** The looks planned from the first measurement, each at level 1 - 0.05 / looks; warnings about the time. */
  plan: { looks: number[]; levelPerLook: number; warnings: string[] };
  /** Width of the deciding metric's interval (hi - lo, as a ratio), or null with the reason in noInterval. */
  intervalWidth: number | null;
  noInterval?: string;
  stopped: 'decided' | 'max-duration' | 'max-rounds' | 'same-file';
  durationMs: number;
  method: { estimate: string; interval: string; sequential: string };
  ratio: Ratios;
  base: { model: ModelFile; results?: string; device?: DeviceInfo; runtimeVersion: string };
  head: { model: ModelFile };
  runtime: BenchResults['runtime'];
  device: DeviceInfo;
  /** The optimize target whose artifacts were compared (`edgeml run`, compare.artifacts); absent for source models. */
  target?: string;
  /** Set when --allow-different-device let a stored base from another device or runtime through. */
  differentDevice?: { base: string; head: string };
  scenario: BenchResults['scenario'];
  settings: BenchSettings;
  exact: ExactComparison[];
  measurements: Round[];
}

/** What one comparison is asked to do: `edgeml compare`, the check's regression limit, `edgeml run`. */
export interface CompareOptions {
  /** Measurement settings of every run; `model` is ignored (base and head below). */
  bench: Omit<BenchOptions, 'model' | 'profile' | 'keepSamples'>;
  base?: string;
  head: string;
  /** A stored results document to compare against, instead of measuring a base model. */
  baseResults?: { file: string; doc: BenchResults };
  allowDifferentDevice: boolean;
  threshold: number;
  metric: CompareMetric;
  /** Time for the whole comparison. */
  maxDurationMs: number;
  /** Rounds before the first look. */
  minRounds: number;
  /** Stop after this many rounds; 0 = only the time limit. */
  maxRounds: number;
  /** auto: paired in one process where possible, else separate processes. */
  design: DesignChoice;
  /** How messages name the settings (flags, or edgeml.yml keys). */
  names?: SettingNames;
}
