// Inputs for calibration and validation: the user's .npy files (one sample per row of the first
// axis), or seeded random inputs shaped like the model's inputs when none are given.
import type * as Ort from 'onnxruntime-node';
import { constantData, firstNonFinite, npyForInput, randomData, readNpy, rng } from './data.js';
import type { TensorData, InputMeta, InputSpec, ResolvedInput, Feeds, SampleSet } from './types.js';
import { resolveInputs } from './inputs.js';
import { loadOrt } from './ort.js';
import { UserError } from '../errors.js';

/** Parses `--calibration NAME=x.npy` flags. */
export function parseCalibrationFlags(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of raw) {
    const at = r.indexOf('=');
    if (at <= 0 || at === r.length - 1) throw new UserError(`--calibration ${r}: expected NAME=file.npy, e.g. --calibration pixels=calib.npy`);
    out[r.slice(0, at)] = r.slice(at + 1);
  }
  return out;
}

/** The model's inputs as ORT reports them. */
export async function inputMetaOf(model: string): Promise<InputMeta[]> {
  const ort = loadOrt();
  const s = await ort.InferenceSession.create(model, { logSeverityLevel: 3, graphOptimizationLevel: 'disabled' });
  try {
    const meta = (s as unknown as { inputMetadata?: InputMeta[] }).inputMetadata;
    return meta ?? s.inputNames.map((name) => ({ name, type: 'float32', shape: [] }));
  } finally {
    await s.release();
  }
}

/**
 * Splits each .npy along its first axis into samples and groups them in batches. An input whose
 * first dim is fixed (often 1) is fed one sample at a time. Every problem names the file, a NaN or
 * infinite value among them (optimize's calibration and validation data, eval's inputs).
 */
export function calibrationSet(meta: InputMeta[], files: Record<string, string>, batchSize = 16, maxSamples = Infinity, spec: InputSpec = {}): SampleSet {
  const ort = loadOrt();
  const names = Object.keys(files);
  for (const n of names) {
    if (!meta.some((m) => m.name === n)) {
      throw new UserError(`--calibration ${n}=${files[n]}: the model has no input '${n}'; its inputs are ${meta.map((m) => `'${m.name}'`).join(', ')}`);
    }
  }
  const fixed = fixedInputs(meta, spec, files);
  const missing = meta.filter((m) => !files[m.name] && !fixed.has(m.name));
  if (missing.length) {
    throw new UserError(`--calibration: no data for input '${missing[0].name}'; give --calibration ${missing[0].name}=file.npy (samples) or --data ${missing[0].name}=file.npy|number (one value for every sample) for every input`);
  }
  const calibrated = meta.filter((m) => files[m.name]);
  let samples = -1;
  const arrays = calibrated.map((m) => {
    const file = files[m.name];
    const arr = readNpy(file);
    const shape = arr.shape;
    const want = m.shape.map((d) => (typeof d === 'number' && d > 0 ? String(d) : '?')).join('x');
    if (shape.length !== m.shape.length || m.shape.some((d, i) => i > 0 && typeof d === 'number' && d > 0 && d !== shape[i])) {
      throw new UserError(`${file}: shape [${shape.join(', ')}] does not fit input '${m.name}' (${want}); save N samples along the first axis, shape N x ${m.shape.slice(1).map((d) => (typeof d === 'number' && d > 0 ? d : '?')).join(' x ')}`);
    }
    if (samples >= 0 && shape[0] !== samples) {
      throw new UserError(`${file}: holds ${shape[0]} samples but the other calibration files hold ${samples}; give the same number for every input`);
    }
    samples = shape[0];
    const data = npyForInput(arr, { name: m.name, type: m.type, shape, batchAxis: 0, source: 'npy', file });
    // NaN or an infinity would spoil int8 ranges and make every comparison of outputs meaningless.
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    const bad = firstNonFinite(data, m.type);
    if (bad) {
      throw new UserError(
        `${file}: input '${m.name}' holds ${bad.value} at index ${bad.index} (sample ${Math.floor(bad.index / per)}); samples must be finite numbers: replace it (e.g. numpy.nan_to_num) or drop that sample, and save the file again`,
      );
    }
    return { m, shape, per, data: data as Float32Array };
  });
  if (samples <= 0) throw new UserError(`${files[names[0]]}: holds no samples; save at least one`);
  samples = Math.min(samples, maxSamples);
  // An input fed the same value every time (--data) takes no batch: samples go one at a time.
  const fixedBatch = fixed.size > 0 || calibrated.some((m) => typeof m.shape[0] === 'number' && (m.shape[0] as number) > 0);
  const step = fixed.size ? 1 : fixedBatch ? (calibrated[0].shape[0] as number) : batchSize;
  const batches: Feeds[] = [];
  for (let start = 0; start + (fixedBatch ? step : 1) <= samples; start += step) {
    const count = Math.min(step, samples - start);
    const feeds: Feeds = {};
    for (const { m, shape, per, data } of arrays) {
      const slice = (data as unknown as { subarray(a: number, b: number): Ort.Tensor.DataType }).subarray(start * per, (start + count) * per);
      feeds[m.name] = new ort.Tensor(m.type as 'float32', slice, [count, ...shape.slice(1)]);
    }
    for (const f of fixed.values()) feeds[f.input.name] = new ort.Tensor(f.input.type as 'float32', f.data as Float32Array, f.input.shape);
    batches.push(feeds);
  }
  return { batches, samples, source: 'calibration' };
}

/** Seeded random samples shaped by the model and the `--input`/`--dim` flags; `--data` inputs hold their value. */
export function randomSet(meta: InputMeta[], spec: InputSpec, count = 4, seed = 1): SampleSet {
  const ort = loadOrt();
  const inputs = resolveInputs(meta, spec, npyShapes(spec));
  const fixed = fixedInputs(meta, spec, {});
  const next = rng(seed);
  const batches: Feeds[] = [];
  for (let i = 0; i < count; i++) {
    const feeds: Feeds = {};
    for (const input of inputs) {
      const f = fixed.get(input.name);
      const n = input.shape.reduce((a, b) => a * b, 1);
      feeds[input.name] = new ort.Tensor(input.type as 'float32', (f ? f.data : randomData(input.type, n, next)) as Float32Array, input.shape);
    }
    batches.push(feeds);
  }
  return { batches, samples: count, source: 'random' };
}

function npyShapes(spec: InputSpec): Record<string, number[]> {
  return Object.fromEntries(Object.entries(spec.data ?? {}).flatMap(([name, src]) => (src.kind === 'npy' ? [[name, readNpy(src.path).shape]] : [])));
}

/**
 * Inputs given one value for every sample with `--data NAME=file.npy|number` (a sample rate, a
 * recurrent state): not calibrated, fed as they are. An input cannot have both.
 */
function fixedInputs(meta: InputMeta[], spec: InputSpec, files: Record<string, string>): Map<string, { input: ResolvedInput; data: TensorData }> {
  const data = spec.data ?? {};
  const out = new Map<string, { input: ResolvedInput; data: TensorData }>();
  if (!Object.keys(data).length) return out;
  for (const name of Object.keys(data)) {
    if (!meta.some((m) => m.name === name)) throw new UserError(`--data ${name}=...: the model has no input named '${name}'; its inputs are ${meta.map((m) => `'${m.name}'`).join(', ')}`);
    if (files[name]) throw new UserError(`--data ${name} and --calibration ${name}: give one of them; --calibration gives samples, --data one value for every sample`);
  }
  const own = meta.filter((m) => data[m.name] || !Object.keys(files).length);
  const mine = (r: Record<string, number[]> | undefined) => Object.fromEntries(Object.entries(r ?? {}).filter(([k]) => own.some((m) => m.name === k)));
  const resolved = resolveInputs(own, { ...spec, shapes: mine(spec.shapes) }, npyShapes(spec));
  for (const input of resolved) {
    const src = data[input.name];
    if (!src) continue;
    const n = input.shape.reduce((a, b) => a * b, 1);
    const values = src.kind === 'value' ? constantData(input.type, n, src.value) : npyForInput(readNpy(src.path), { ...input, file: src.path });
    out.set(input.name, { input, data: values });
  }
  return out;
}
