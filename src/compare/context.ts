// What the two measuring designs (processes.ts, paired.ts) share during one comparison.
import type { ModelFile } from '../model/index.js';
import type { BenchResults } from '../results/index.js';
import type { CompareOptions } from './types.js';
import type { Sequential } from './sequential.js';

export interface CompareContext {
  opts: CompareOptions;
  seq: Sequential;
  base: ModelFile;
  head: ModelFile;
  stored?: { file: string; doc: BenchResults };
  /** Date.now() when the comparison started: --max-duration counts from here. */
  started: number;
  differentDevice?: { base: string; head: string };
  /** Warns when `planned` rounds cannot reach min-rounds or an interval; `why` says how it was estimated. */
  checkPlan(planned: number, why: string): void;
}
