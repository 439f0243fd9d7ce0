// What `edgeml eval` is asked (EvalOptions) and what it writes (EvalResults, merged into the
// results document's accuracy and fidelity).
import type { DatasetRef } from '../results/index.js';
import type { Fidelity } from '../tensors/index.js';
import type { Preprocess } from './preprocess.js';

export const METRICS = ['top1', 'top5', 'mae', 'rmse'] as const;
export type Metric = (typeof METRICS)[number];

export interface EvalOptions {
  model: string;
  /** Input name ('' = the model's only input) -> .npy file. */
  inputs: Record<string, string>;
  labels?: string;
  /** An image dataset instead of `inputs` and `labels`: a JSONL manifest and its preprocessing. */
  images?: { manifest: string; preprocess: Preprocess };
  metrics: Metric[];
  reference?: string;
  batchSize: number;
}

export interface EvalResults {
  schema: { name: 'edgeml-eval'; version: 1 };
  tool: { name: 'edgeml'; version: string };
  createdAt: string;
  model: { path: string; sha256: string; bytes: number };
  samples: number;
  /** What the samples (and labels) were: the file names and their hashes. */
  dataset: DatasetRef;
  metrics: Partial<Record<Metric, number>>;
  reference?: { path: string; sha256: string };
  fidelity?: Fidelity;
}
