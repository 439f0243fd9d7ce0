// A model's outputs on a set of feeds, and how closely another model's outputs match them: the
// fidelity optimize proves for each artifact, eval reports against the fp32 reference, and the
// device agent checks before it switches to a release.
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from './ort.js';
import type { Feeds, Fidelity, FidelityRecord, FidelityFloor, Outputs } from './types.js';

export function fidelityRecord(f: Fidelity): FidelityRecord {
  const { nonFinite: _, ...rest } = f;
  return { ...rest, maxAbsError: Number.isFinite(f.maxAbsError) ? f.maxAbsError : null };
}

export const DEFAULT_FLOOR: FidelityFloor = { cosine: 0.99, top1Agreement: 0.95, absTolerance: 1e-4 };

/** Runs a model file (or bytes) on every batch (a list, or made on demand); keeps the float32 outputs. */
export async function runOutputs(model: string | Uint8Array, batches: Feeds[] | AsyncIterable<Feeds>, threads = 0, onBatch?: (done: number) => void): Promise<Outputs> {
  const ort = loadOrt();
  // 4 (fatal only): a failed run is one exception, not ORT log lines on stderr as well.
  const opts: Ort.InferenceSession.SessionOptions = { logSeverityLevel: 4, ...(threads ? { intraOpNumThreads: threads } : {}) };
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

/** Rows of an output (its first dim; 1 for a scalar) and values per row. */
function rowsOf(x: Outputs[number][string]): { rows: number; per: number } {
  const rows = x.dims.length ? x.dims[0] : 1;
  return { rows, per: rows ? x.data.length / rows : 0 };
}

/** Where outputs (of every batch) first hold NaN or an infinity: `output 'y' is NaN at sample 3, index 7`, or null. */
export function nonFiniteOutput(outputs: Outputs): string | null {
  let before = 0;
  for (const batch of outputs) {
    const names = Object.keys(batch);
    for (const name of names) {
      const x = batch[name];
      const i = x.data.findIndex((v) => !Number.isFinite(v));
      if (i >= 0) return `output '${name}' is ${x.data[i]} at ${position(before, rowsOf(x).per, i)}`;
    }
    before += names.length ? rowsOf(batch[names[0]]).rows : 0;
  }
  return null;
}

function position(before: number, per: number, i: number): string {
  return `sample ${before + Math.floor(i / per)}, index ${i % per}`;
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
  let nonFinite: string | undefined;
  for (let b = 0; b < ref.length; b++) {
    const names = Object.keys(ref[b]);
    const before = samples;
    samples += names.length ? ref[b][names[0]].dims[0] ?? 1 : 0;
    for (const name of names) {
      const x = ref[b][name];
      const y = got[b][name];
      if (!y || y.data.length !== x.data.length) throw new Error(`output '${name}' is missing or has another shape`);
      for (let i = 0; i < x.data.length; i++) {
        const a = x.data[i];
        const c = y.data[i];
        if (!nonFinite && !(Number.isFinite(a) && Number.isFinite(c))) {
          const at = position(before, rowsOf(x).per, i);
          nonFinite = Number.isFinite(a) ? `output '${name}' is ${c} at ${at}, where the reference gives ${a}` : `the reference's output '${name}' is ${a} at ${at}`;
        }
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
        const top = argmax(x.data, r * classes, classes);
        if (top >= 0 && top === argmax(y.data, r * classes, classes)) agree++;
      }
    }
  }
  const cosine = na === 0 && nb === 0 ? 1 : dot / (Math.sqrt(na) * Math.sqrt(nb) || 1);
  const common = { top1Agreement: classifier && rows > 0 ? agree / rows : null, samples };
  // A NaN or an infinity makes the sums meaningless: the worst figures, and where it was.
  if (nonFinite) return { cosine: 0, maxAbsError: Infinity, ...common, nonFinite };
  return { cosine: Math.min(1, cosine), maxAbsError: maxAbs, ...common };
}

/** Index of the largest value of a row; -1 when the row holds a NaN (it has no top class, and agrees with none). */
function argmax(a: Float32Array, start: number, n: number): number {
  let best = start;
  for (let i = start; i < start + n; i++) {
    if (Number.isNaN(a[i])) return -1;
    if (a[i] > a[best]) best = i;
  }
  return best - start;
}

/** Why a fidelity is below the floor, or null when it passes. NaN or infinite outputs never pass. */
export function belowFloor(f: Fidelity, floor: FidelityFloor): string | null {
  if (f.nonFinite) return f.nonFinite;
  if (!(f.cosine >= floor.cosine) && !(f.maxAbsError <= floor.absTolerance)) return `cosine ${f.cosine.toFixed(6)} < floor ${floor.cosine}`;
  if (f.top1Agreement !== null && f.top1Agreement < floor.top1Agreement) {
    return `top-1 agreement ${f.top1Agreement.toFixed(4)} < floor ${floor.top1Agreement}`;
  }
  return null;
}
