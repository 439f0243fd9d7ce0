// Activation ranges from the calibration inputs: minmax, percentile of |x|, or the entropy (KL
// divergence) threshold search. The model runs with every value exposed, optimizations off.
import { existsSync, readFileSync } from 'node:fs';
import type { ModelProto } from '../model/index.js';
import { writeFileAtomic } from '../documents/index.js';
import type { Feeds } from '../tensors/index.js';
import { probe } from './probe.js';
import type { CalibrationMethod } from './types.js';

export interface Range { min: number; max: number }

const BINS = 2048;
const QUANTIZED_BINS = 128;

export async function calibrate(
  model: ModelProto,
  batches: Feeds[],
  method: CalibrationMethod,
  percentile: number,
  choose: (types: Map<string, string>) => Set<string>,
): Promise<{ ranges: Map<string, Range>; types: Map<string, string> }> {
  const all = new Map<string, Range>();
  const { types } = await probe(model, batches, (name, data) => {
    const r = all.get(name) ?? { min: Infinity, max: -Infinity };
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (x < r.min) r.min = x;
      if (x > r.max) r.max = x;
    }
    all.set(name, r);
  });
  const wanted = choose(types);
  const ranges = new Map([...all].filter(([k]) => wanted.has(k)));
  if (method === 'minmax') return { ranges, types };

  // Second pass: a histogram of |x| over [0, absmax] per tensor.
  const hists = new Map<string, Float64Array>();
  const absmax = new Map([...ranges].map(([k, r]) => [k, Math.max(Math.abs(r.min), Math.abs(r.max))]));
  await probe(model, batches, (name, data) => {
    const m = absmax.get(name);
    if (!m) return;
    let h = hists.get(name);
    if (!h) hists.set(name, (h = new Float64Array(BINS)));
    const k = BINS / m;
    for (let i = 0; i < data.length; i++) h[Math.min(BINS - 1, Math.floor(Math.abs(data[i]) * k))]++;
  });
  const out = new Map<string, Range>();
  for (const [name, r] of ranges) {
    const h = hists.get(name);
    const m = absmax.get(name)!;
    if (!h) {
      out.set(name, r);
      continue;
    }
    const t = method === 'percentile' ? percentileThreshold(h, m, percentile) : entropyThreshold(h, m);
    out.set(name, { min: Math.max(r.min, -t), max: Math.min(r.max, t) });
  }
  return { ranges: out, types };
}

/** The |x| below which `p` percent of the values fall (upper edge of that bin). */
export function percentileThreshold(hist: Float64Array, absmax: number, p: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i];
    if (acc / total >= p / 100) return ((i + 1) * absmax) / hist.length;
  }
  return absmax;
}

/**
 * TensorRT-style threshold search: for each candidate clip bin i, compare the clipped reference
 * distribution P (outliers folded into the last bin) with Q, P merged into 128 levels and expanded
 * back; keep the i with the least KL(P || Q).
 */
export function entropyThreshold(hist: Float64Array, absmax: number): number {
  const n = hist.length;
  let bestKl = Infinity;
  let best = n;
  for (let i = QUANTIZED_BINS; i <= n; i += 8) {
    const p = Float64Array.from(hist.subarray(0, i));
    let outliers = 0;
    for (let j = i; j < n; j++) outliers += hist[j];
    p[i - 1] += outliers;
    const q = new Float64Array(i);
    const per = i / QUANTIZED_BINS;
    for (let b = 0; b < QUANTIZED_BINS; b++) {
      const start = Math.floor(b * per);
      const end = b === QUANTIZED_BINS - 1 ? i : Math.floor((b + 1) * per);
      let sum = 0;
      let nonzero = 0;
      for (let j = start; j < end; j++) {
        sum += hist[j];
        if (hist[j] > 0) nonzero++;
      }
      for (let j = start; j < end; j++) if (hist[j] > 0) q[j] = sum / nonzero;
    }
    const kl = klDivergence(p, q);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return (best * absmax) / n;
}

function klDivergence(p: Float64Array, q: Float64Array): number {
  let ps = 0;
  let qs = 0;
  for (let i = 0; i < p.length; i++) {
    ps += p[i];
    qs += q[i];
  }
  if (ps === 0 || qs === 0) return Infinity;
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    const pi = p[i] / ps;
    const qi = q[i] / qs;
    kl += qi > 0 ? pi * Math.log(pi / qi) : pi * Math.log(pi / 1e-10);
  }
  return kl;
}

/**
 * Calibration ranges saved between runs (the optimize action keeps the file in the Actions cache).
 * `key` covers the model, the calibration data and the settings: any other key is a miss.
 */
export function readCalibrationCache(file: string, key: string): Map<string, Range> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; ranges?: Record<string, [number, number]> };
    if (doc.key !== key || !doc.ranges || typeof doc.ranges !== 'object') return undefined;
    const out = new Map<string, Range>();
    for (const [name, r] of Object.entries(doc.ranges)) {
      if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined;
      out.set(name, { min: r[0], max: r[1] });
    }
    return out;
  } catch {
    return undefined; // a damaged cache is a miss, not an error
  }
}

export function writeCalibrationCache(file: string, key: string, ranges: Map<string, Range>): void {
  const doc = { key, ranges: Object.fromEntries([...ranges].map(([k, r]) => [k, [r.min, r.max]])) };
  writeFileAtomic(file, `${JSON.stringify(doc)}\n`);
}
