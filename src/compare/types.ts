// The compare document (schemas/compare.schema.json): what `edgeml compare --json` writes and
// what `edgeml check --compare` and the PR report read back.
import type { DeviceInfo } from '../bench/device.js';
import type { ModelFile } from '../model/index.js';
import type { BenchResults, BenchSettings } from '../results/types.js';

export const COMPARE_SCHEMA = { name: 'edgeml-compare', version: 1 } as const;

export type Verdict = 'slower' | 'faster' | 'unchanged' | 'inconclusive';
export const VERDICTS: Verdict[] = ['slower', 'faster', 'unchanged', 'inconclusive'];
export type CompareMetric = 'p50' | 'p90';
export const COMPARE_METRICS: CompareMetric[] = ['p50', 'p90'];

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
  iterations: number;
}

export interface Round {
  /** Which arm ran first in this round: alternates, ABBA. */
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
  rounds: number;
  looks: number;
  stopped: 'decided' | 'max-duration' | 'max-rounds';
  durationMs: number;
  method: { estimate: string; interval: string; sequential: string };
  ratio: { p50: RatioResult; p90: RatioResult };
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
