// The reference profile of a model: what its inputs and predictions look like on the data it was
// checked on, as fixed-bin histograms a device can fill window by window and compare. Per output:
// top-1 class frequencies for a classifier (rows of 2..1000 scores), else quantile bins of each
// row's mean; per input: quantile bins of each row's mean. Pure, over tensors already computed.
import { UserError } from '../errors.js';
import { binOf, quantileEdges } from './stats.js';

export const PROFILE_VERSION = 1;
const QUANTILE_BINS = 10;
const MAX_CLASSES = 1000;

export interface Histogram {
  /** `outputs.<name>` or `inputs.<name>`. */
  key: string;
  kind: 'classes' | 'quantiles';
  /** classes: how many; quantiles: the interior edges (bins = edges + 1). */
  classes?: number;
  edges?: number[];
  /** The reference's counts per bin. */
  reference: number[];
}

export interface Profile {
  version: typeof PROFILE_VERSION;
  model: { name: string; sha256: string };
  createdAt: string;
  samples: number;
  histograms: Histogram[];
}

/** A tensor as the server and the profiler see it: flat numbers and dims (batch first). */
export interface Values {
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}

/** Each row's feature: the row's mean, or for a classifier output the index of its top score. */
function rows(v: Values): { count: number; size: number } {
  const count = v.dims.length >= 2 ? v.dims[0] : 1;
  return { count, size: count > 0 ? v.data.length / count : 0 };
}

function rowMean(v: Values, r: number, size: number): number {
  let s = 0;
  for (let i = r * size; i < (r + 1) * size; i++) s += Number(v.data[i]);
  return size ? s / size : 0;
}

function rowArgmax(v: Values, r: number, size: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < size; i++) {
    const x = Number(v.data[r * size + i]);
    if (x > bestValue) {
      bestValue = x;
      best = i;
    }
  }
  return best;
}

export function isClassifierOutput(v: Values): boolean {
  const { size } = rows(v);
  return v.dims.length === 2 && size >= 2 && size <= MAX_CLASSES;
}

/** The per-row features of one tensor for a histogram of that kind. */
export function features(v: Values, kind: Histogram['kind']): number[] {
  const { count, size } = rows(v);
  const out: number[] = [];
  for (let r = 0; r < count; r++) out.push(kind === 'classes' ? rowArgmax(v, r, size) : rowMean(v, r, size));
  return out;
}

/**
 * Builds the profile from the reference samples: each an object of input and output tensors
 * (names as the model has them). Non-finite features are left out of the quantiles.
 */
export function buildProfile(model: Profile['model'], samples: Array<{ inputs: Record<string, Values>; outputs: Record<string, Values> }>, now = new Date()): Profile {
  if (samples.length === 0) throw new UserError('no reference samples: give --data with the model\'s dataset or calibration data');
  const first = samples[0];
  const histograms: Histogram[] = [];
  const add = (side: 'inputs' | 'outputs', name: string, kind: Histogram['kind']) => {
    const values = samples.flatMap((s) => features(s[side][name], kind));
    if (kind === 'classes') {
      const classes = rows(first.outputs[name]).size;
      const reference = new Array<number>(classes).fill(0);
      for (const c of values) reference[c]++;
      histograms.push({ key: `${side}.${name}`, kind, classes, reference });
    } else {
      const edges = quantileEdges(values, QUANTILE_BINS);
      const reference = new Array<number>(edges.length + 1).fill(0);
      for (const x of values) if (Number.isFinite(x)) reference[binOf(edges, x)]++;
      histograms.push({ key: `${side}.${name}`, kind, edges, reference });
    }
  };
  for (const name of Object.keys(first.outputs)) add('outputs', name, isClassifierOutput(first.outputs[name]) ? 'classes' : 'quantiles');
  for (const name of Object.keys(first.inputs)) add('inputs', name, 'quantiles');
  const count = samples.reduce((n, s) => n + rows(Object.values(s.outputs)[0]).count, 0);
  return { version: PROFILE_VERSION, model, createdAt: now.toISOString(), samples: count, histograms };
}

/** Empty counts for every histogram of the profile: a window starts from these. */
export function emptyCounts(profile: Profile): Record<string, number[]> {
  return Object.fromEntries(profile.histograms.map((h) => [h.key, new Array<number>(h.reference.length).fill(0)]));
}

/** Adds one request's tensors to a window's counts (tensors the profile does not know are ignored). */
export function addToCounts(profile: Profile, counts: Record<string, number[]>, tensors: { inputs: Record<string, Values>; outputs: Record<string, Values> }): void {
  for (const h of profile.histograms) {
    const [side, name] = [h.key.slice(0, h.key.indexOf('.')), h.key.slice(h.key.indexOf('.') + 1)] as ['inputs' | 'outputs', string];
    const v = tensors[side][name];
    if (!v) continue;
    for (const x of features(v, h.kind)) {
      if (!Number.isFinite(x)) continue;
      const bin = h.kind === 'classes' ? x : binOf(h.edges!, x);
      if (bin >= 0 && bin < counts[h.key].length) counts[h.key][bin]++;
    }
  }
}

/** A profile read back from a file (it may come from a release or a user): checked field by field. */
export function parseProfile(text: string, file: string): Profile {
  let p: Profile;
  try {
    p = JSON.parse(text) as Profile;
  } catch {
    throw new UserError(`${file}: not JSON; give a profile written by 'edgeml profile'`);
  }
  const bad = (why: string) => new UserError(`${file}: not an edgeml profile (${why}); make one with 'edgeml profile'`);
  if (!p || typeof p !== 'object' || p.version !== PROFILE_VERSION) throw bad(`version must be ${PROFILE_VERSION}`);
  if (!p.model || typeof p.model.name !== 'string' || typeof p.model.sha256 !== 'string') throw bad('model.name and model.sha256 are required');
  if (!Array.isArray(p.histograms) || p.histograms.length === 0) throw bad('no histograms');
  for (const h of p.histograms) {
    if (typeof h.key !== 'string' || !/^(inputs|outputs)\..+/.test(h.key)) throw bad('a histogram key is not inputs.NAME or outputs.NAME');
    if (!Array.isArray(h.reference) || !h.reference.every((c) => Number.isInteger(c) && c >= 0)) throw bad(`${h.key}: reference counts must be whole numbers`);
    if (h.kind === 'classes' && h.classes !== h.reference.length) throw bad(`${h.key}: ${h.classes} classes but ${h.reference.length} counts`);
    if (h.kind === 'quantiles' && (!Array.isArray(h.edges) || h.edges.length + 1 !== h.reference.length || !h.edges.every(Number.isFinite))) throw bad(`${h.key}: edges do not fit the counts`);
    if (h.kind !== 'classes' && h.kind !== 'quantiles') throw bad(`${h.key}: kind must be classes or quantiles`);
  }
  return p;
}
