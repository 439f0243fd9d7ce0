// Acceptance evidence: what a device must reproduce before it switches to an artifact. Publish
// runs the artifact in ONNX Runtime on a few inputs (rows of the user's .npy data, else seeded
// random values the device regenerates from the seed) and keeps its outputs, their names, shapes
// and dtypes, the fidelity floor the artifact passed and the latency CI measured. The document is
// stored content-addressed; the release's signed custom metadata carries its sha256 and length.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_FLOOR, type InputMeta, loadOrt, npyForInput, randomData, readNpy, rng, type TensorData } from '../tensors/index.js';
import { UserError, oneLine } from '../errors.js';
import type { Evidence, EvidenceRef, EvidenceRequest, EvidenceSample, EvidenceTensor } from './types.js';

export const EVIDENCE_SCHEMA: Evidence['schema'] = 'edgeml-evidence/1';
/** Samples kept at most, and the size past which no further sample is added (the first always is). */
export const EVIDENCE_SAMPLES = 4;
const EVIDENCE_MAX_BYTES = 2 * 1024 * 1024;

export function evidencePath(sha256: string): string {
  return `targets/evidence/${sha256}.json`;
}

export function tensorBytes(data: TensorData): Buffer {
  if (Array.isArray(data)) throw new Error('string tensors are not supported in evidence');
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const ARRAYS: Record<string, new (b: ArrayBuffer) => Exclude<TensorData, string[]>> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
};

/** The values of an evidence tensor: decoded, or regenerated from its seed exactly as publish made them. */
export function tensorData(t: EvidenceTensor): TensorData {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.seed !== undefined) return randomData(t.dtype, count, rng(t.seed));
  const Arr = ARRAYS[t.dtype];
  if (!Arr || t.data === undefined) throw new Error(`evidence tensor of dtype ${t.dtype} has no data`);
  const bytes = Buffer.from(t.data, 'base64');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new Arr(copy);
}

/** Shapes of the model's inputs with every dynamic dim at 1, as the health check feeds them. */
function fixedDims(m: InputMeta): number[] {
  return m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
}

/** Inputs of each sample: rows of the given .npy files (one row per sample), else seeded random values. */
function sampleInputs(meta: InputMeta[], data: Record<string, string>, given: (name: string, file: string) => string): Array<Record<string, EvidenceTensor>> {
  const names = Object.keys(data);
  if (!names.length) {
    return Array.from({ length: EVIDENCE_SAMPLES }, (_, s) =>
      Object.fromEntries(meta.map((m, i) => [m.name, { dtype: m.type, dims: fixedDims(m), seed: 1 + s * 1000 + i }])));
  }
  for (const n of names) {
    if (!meta.some((m) => m.name === n)) throw new UserError(`${given(n, data[n])}: the model has no input '${n}'; its inputs are ${meta.map((m) => `'${m.name}'`).join(', ')}`);
  }
  const missing = meta.find((m) => !data[m.name]);
  if (missing) throw new UserError(`${given(missing.name, '')}: no data for input '${missing.name}'; give a .npy file for every input`);
  const rows = meta.map((m) => {
    const arr = readNpy(data[m.name]);
    const values = npyForInput(arr, { name: m.name, type: m.type, file: data[m.name] } as never);
    const per = arr.shape.slice(1).reduce((a, b) => a * b, 1);
    const want = fixedDims(m).slice(1).reduce((a, b) => a * b, 1);
    if (per !== want && m.shape.slice(1).every((d) => typeof d === 'number' && d > 0)) {
      throw new UserError(`${given(m.name, data[m.name])}: rows of shape [${arr.shape.slice(1).join(', ')}] do not fit input '${m.name}' [${m.shape.join(', ')}]`);
    }
    return { m, arr, values, per };
  });
  const count = Math.min(EVIDENCE_SAMPLES, ...rows.map((r) => r.arr.shape[0] ?? 1));
  return Array.from({ length: count }, (_, s) => Object.fromEntries(rows.map(({ m, arr, values, per }) => {
    const slice = (values as Exclude<TensorData, string[]>).subarray(s * per, (s + 1) * per);
    return [m.name, { dtype: m.type, dims: [1, ...arr.shape.slice(1)], data: tensorBytes(slice).toString('base64') }];
  })));
}

/**
 * Runs the artifact as a device will and records what it answers. A file ONNX Runtime cannot load,
 * or outputs that are NaN or infinite, refuse the release here: no device should get it.
 */
export async function buildEvidence(req: EvidenceRequest): Promise<{ doc: Evidence; bytes: Buffer; ref: EvidenceRef }> {
  const ort = loadOrt();
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(readFileSync(req.file), { logSeverityLevel: 3 });
  } catch (e) {
    throw new UserError(`${req.file}: ONNX Runtime cannot load it as a model (${oneLine(e).slice(0, 200)}); publish the .onnx file 'edgeml optimize' wrote`);
  }
  try {
    const meta = (session as unknown as { inputMetadata?: InputMeta[] }).inputMetadata ?? [];
    const samples: EvidenceSample[] = [];
    let size = 0;
    for (const inputs of sampleInputs(meta, req.data, req.given)) {
      const feeds = Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, new ort.Tensor(t.dtype as 'float32', tensorData(t) as Float32Array, t.dims)]));
      const out = await session.run(feeds);
      const outputs: Record<string, EvidenceTensor> = {};
      for (const [name, t] of Object.entries(out)) {
        const bad = t.type === 'float32' ? (t.data as Float32Array).findIndex((v) => !Number.isFinite(v)) : -1;
        if (bad >= 0) throw new UserError(`${req.file}: output '${name}' is ${(t.data as Float32Array)[bad]} at index ${bad} of sample ${samples.length}; no device should get this model, fix it before publishing`);
        outputs[name] = { dtype: t.type, dims: [...t.dims], ...(t.type === 'float32' ? { data: tensorBytes(t.data as Float32Array).toString('base64') } : {}) };
      }
      const sample = { inputs, outputs };
      const bytes = JSON.stringify(sample).length;
      if (samples.length && size + bytes > EVIDENCE_MAX_BYTES) break;
      size += bytes;
      samples.push(sample);
    }
    const doc: Evidence = {
      schema: EVIDENCE_SCHEMA, model: { file: req.name, sha256: req.sha256 }, source: Object.keys(req.data).length ? 'data' : 'random',
      floor: req.floor ?? DEFAULT_FLOOR, latency: req.latency ?? null, ...(req.budgets?.length ? { budgets: req.budgets } : {}), samples,
    };
    const bytes = Buffer.from(`${JSON.stringify(doc)}\n`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { doc, bytes, ref: { path: evidencePath(sha256), sha256, length: bytes.length } };
  } finally {
    await session.release();
  }
}

/** Reads an evidence document the agent downloaded (already checked against its signed hash). */
export function readEvidence(file: string): Evidence {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Evidence;
  if (doc.schema !== EVIDENCE_SCHEMA || !Array.isArray(doc.samples) || !doc.samples.length) throw new Error(`${file}: not an ${EVIDENCE_SCHEMA} document`);
  return doc;
}
