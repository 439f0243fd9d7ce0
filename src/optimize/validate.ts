// Proof that an artifact still answers like the fp32 model: it loads in ORT, and its outputs on the
// calibration (or seeded random) inputs are compared with the fp32 model's.
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from '../bench/ort.js';
import type { Feeds } from './data.js';

export interface Fidelity {
  /** Cosine similarity of all float outputs, concatenated (1 = same direction). */
  cosine: number;
  maxAbsError: number;
  /** Share of rows whose argmax over the last axis agrees, for [N, classes] outputs; null otherwise. */
  top1Agreement: number | null;
  samples: number;
}

/** Fidelity as documents hold it: JSON has no Infinity, so an error that is NaN or infinite is null. */
export interface FidelityRecord extends Omit<Fidelity, 'maxAbsError'> {
  /** null: an output was NaN or infinite. */
  maxAbsError: number | null;
}

export function fidelityRecord(f: Fidelity): FidelityRecord {
  return { ...f, maxAbsError: Number.isFinite(f.maxAbsError) ? f.maxAbsError : null };
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

export const DEFAULT_FLOOR: FidelityFloor = { cosine: 0.99, top1Agreement: 0.95, absTolerance: 1e-4 };

export type Outputs = Array<Record<string, { data: Float32Array; dims: readonly number[] }>>;

/** Runs a model file (or bytes) on every batch (a list, or made on demand); keeps the float32 outputs. */
export async function runOutputs(model: string | Uint8Array, batches: Feeds[] | AsyncIterable<Feeds>, threads = 0, onBatch?: (done: number) => void): Promise<Outputs> {
  const ort = loadOrt();
  const opts: Ort.InferenceSession.SessionOptions = { logSeverityLevel: 3, ...(threads ? { intraOpNumThreads: threads } : {}) };
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
  try {
    const all: Outputs = [];
    for await (const feeds of batches) {
      const out = await session.run(feeds);
      const kept: Outputs[number] = {};
      for (const [name, t] of Object.entries(out)) {
        if (t.type === 'float32') kept[name] = { data: t.data as Float32Array, dims: t.dims };
      }
      all.push(kept);
      onBatch?.(all.length);
    }
    return all;
  } finally {
    await session.release();
  }
}

export function compareOutputs(ref: Outputs, got: Outputs): Fidelity {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let maxAbs = 0;
  let rows = 0;
  let agree = 0;
  let classifier = true;
  let samples = 0;
  for (let b = 0; b < ref.length; b++) {
    const names = Object.keys(ref[b]);
    samples += names.length ? ref[b][names[0]].dims[0] ?? 1 : 0;
    for (const name of names) {
      const x = ref[b][name];
      const y = got[b][name];
      if (!y || y.data.length !== x.data.length) throw new Error(`output '${name}' is missing or has another shape`);
      for (let i = 0; i < x.data.length; i++) {
        const a = x.data[i];
        const c = y.data[i];
        dot += a * c;
        na += a * a;
        nb += c * c;
        const d = Math.abs(a - c);
        if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
      }
      const classes = x.dims[x.dims.length - 1];
      if (x.dims.length !== 2 || classes < 2) {
        classifier = false;
        continue;
      }
      for (let r = 0; r < x.data.length / classes; r++) {
        rows++;
        if (argmax(x.data, r * classes, classes) === argmax(y.data, r * classes, classes)) agree++;
      }
    }
  }
  const cosine = na === 0 && nb === 0 ? 1 : dot / (Math.sqrt(na) * Math.sqrt(nb) || 1);
  return {
    cosine: Number.isFinite(cosine) ? Math.min(1, cosine) : 0,
    maxAbsError: maxAbs,
    top1Agreement: classifier && rows > 0 ? agree / rows : null,
    samples,
  };
}

function argmax(a: Float32Array, start: number, n: number): number {
  let best = start;
  for (let i = start + 1; i < start + n; i++) if (a[i] > a[best]) best = i;
  return best - start;
}

/** Why a fidelity is below the floor, or null when it passes. */
export function belowFloor(f: Fidelity, floor: FidelityFloor): string | null {
  if (!(f.cosine >= floor.cosine) && !(f.maxAbsError <= floor.absTolerance)) return `cosine ${f.cosine.toFixed(6)} < floor ${floor.cosine}`;
  if (f.top1Agreement !== null && f.top1Agreement < floor.top1Agreement) {
    return `top-1 agreement ${f.top1Agreement.toFixed(4)} < floor ${floor.top1Agreement}`;
  }
  return null;
}
