// `edgeml profile`: the model run on its reference data (a dataset or calibration .npy, one row
// per sample along the first axis; numbers for inputs that are constants, like a sample rate),
// and the histograms of its inputs and predictions kept as the reference profile.
import { UserError, oneLine } from '../errors.js';
import { type DataSource, loadOrt, readNpy } from '../tensors/index.js';
import { sha256File } from '../model/index.js';
import { buildProfile, type Profile, type Values } from './profile.js';

const NPY_TO_ORT: Record<string, string> = { '<f4': 'float32', '<f8': 'float64', '<i8': 'int64', '<i4': 'int32', '|u1': 'uint8', '|i1': 'int8', f4: 'float32', f8: 'float64', i8: 'int64', i4: 'int32', u1: 'uint8', i1: 'int8' };

export async function profileModel(file: string, name: string, data: Record<string, DataSource>, maxSamples = 2000): Promise<Profile> {
  const ort = loadOrt();
  let session;
  try {
    session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
  } catch (e) {
    throw new UserError(`--model ${file}: ONNX Runtime cannot load it (${oneLine(e).slice(0, 200)})`);
  }
  const meta = (session as unknown as { inputMetadata: Array<{ name: string; type?: string; shape?: Array<number | string> }> }).inputMetadata;
  for (const n of Object.keys(data)) if (!meta.some((m) => m.name === n)) throw new UserError(`--data ${n}=...: the model has no input named '${n}'; its inputs are ${meta.map((m) => `'${m.name}'`).join(', ')}`);
  const arrays = new Map<string, { data: ArrayLike<number | bigint>; shape: number[]; type: string }>();
  let rows = -1;
  for (const m of meta) {
    const src = data[m.name];
    if (!src) throw new UserError(`--data: input '${m.name}' has no data; give --data ${m.name}=FILE.npy (the reference rows) or --data ${m.name}=NUMBER`);
    if (src.kind === 'npy') {
      const arr = readNpy(src.path);
      const type = NPY_TO_ORT[arr.dtype] ?? arr.dtype;
      if (type !== m.type) throw new UserError(`${src.path}: dtype '${arr.dtype}' does not match input '${m.name}' (${m.type})`);
      arrays.set(m.name, { data: arr.data as unknown as ArrayLike<number>, shape: arr.shape, type });
      if (rows >= 0 && arr.shape[0] !== rows) throw new UserError(`${src.path}: ${arr.shape[0]} rows, but another --data file has ${rows}; give the same samples for every input`);
      rows = arr.shape[0];
    }
  }
  if (rows < 1) throw new UserError('--data: give at least one .npy file of reference samples (rows along the first axis)');
  const samples: Array<{ inputs: Record<string, Values>; outputs: Record<string, Values> }> = [];
  for (let r = 0; r < Math.min(rows, maxSamples); r++) {
    const feeds: Record<string, unknown> = {};
    const inputs: Record<string, Values> = {};
    for (const m of meta) {
      const src = data[m.name]!;
      if (src.kind === 'npy') {
        const a = arrays.get(m.name)!;
        const size = a.shape.slice(1).reduce((x, y) => x * y, 1);
        const slice = (a.data as unknown as { subarray(s: number, e: number): ArrayLike<number> }).subarray(r * size, (r + 1) * size);
        const dims = [1, ...a.shape.slice(1)];
        feeds[m.name] = new ort.Tensor(a.type as 'float32', slice as Float32Array, dims);
        inputs[m.name] = { data: slice, dims };
      } else {
        const type = m.type ?? 'float32';
        const value = type === 'int64' ? BigInt(Math.round(src.value)) : src.value;
        const arr = type === 'int64' ? BigInt64Array.of(value as bigint) : type === 'float64' ? Float64Array.of(src.value) : Float32Array.of(src.value);
        feeds[m.name] = new ort.Tensor(type as 'float32', arr as Float32Array, (m.shape ?? []).length ? [1] : []);
      }
    }
    let out: Record<string, { data: ArrayLike<number>; dims: readonly number[] }>;
    try {
      out = (await session.run(feeds as never)) as unknown as typeof out;
    } catch (e) {
      throw new UserError(`--model ${file}: the model refused reference sample ${r} (${oneLine(e).slice(0, 200)}); check the --data shapes`);
    }
    samples.push({ inputs, outputs: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data, dims: v.dims }])) });
  }
  await session.release();
  return buildProfile({ name, sha256: await sha256File(file) }, samples);
}
