// The tensors area's types that other areas use (index.ts exports them).
// Types only: nothing here runs.

import type * as Ort from 'onnxruntime-node';

export type TensorData =
  | Float32Array | Float64Array | Uint16Array | Int16Array | Int32Array | Uint32Array
  | Int8Array | Uint8Array | BigInt64Array | BigUint64Array | string[];

/** One model input as ORT reports it: a fixed size (number) or a symbolic name ('' if unnamed). */
export interface InputMeta {
  name: string;
  type: string;
  shape: Array<number | string>;
  isTensor?: boolean;
}

export type DataSource = { kind: 'npy'; path: string } | { kind: 'value'; value: number };

/** What the user said about inputs: `--input NAME=1x3x224x224`, `--dim NAME=N`, `--data NAME=file.npy|value`. */
export interface InputSpec {
  shapes?: Record<string, number[]>;
  dims?: Record<string, number>;
  data?: Record<string, DataSource>;
}

export interface ResolvedInput {
  name: string;
  type: string;
  shape: number[];
  /** Index of the dim that took the batch default, when the user fixed nothing there. */
  batchAxis: number | null;
  source: 'random' | 'npy' | 'value';
  file?: string;
  value?: number;
}

export type OrtModule = typeof Ort;

export type Feeds = Record<string, Ort.Tensor>;

export interface SampleSet {
  /** Feeds of `batchSize` samples each (the last may be smaller). */
  batches: Feeds[];
  samples: number;
  source: 'calibration' | 'random';
}

export interface Fidelity {
  /** Cosine similarity of all float outputs, concatenated (1 = same direction). */
  cosine: number;
  maxAbsError: number;
  /** Share of rows whose argmax over the last axis agrees, for [N, classes] outputs; null otherwise. */
  top1Agreement: number | null;
  samples: number;
  /**
   * Where an output was first NaN or infinite, in either model (then cosine is 0 and maxAbsError
   * Infinity: nothing was measured): `output 'y' is NaN at sample 3, index 7, where the reference gives 0.25`.
   */
  nonFinite?: string;
}

/** Fidelity as documents hold it: JSON has no Infinity, so an error that is NaN or infinite is null. */
export interface FidelityRecord extends Omit<Fidelity, 'maxAbsError' | 'nonFinite'> {
  /** null: an output was NaN or infinite. */
  maxAbsError: number | null;
}

export interface FidelityFloor {
  cosine: number;
  top1Agreement: number;
  /**
   * Outputs within this absolute error pass whatever their cosine: the cosine of near-zero outputs
   * (a detector's probability map on an empty image) is noise.
   */
  absTolerance: number;
}

export type Outputs = Array<Record<string, { data: Float32Array; dims: readonly number[] }>>;
