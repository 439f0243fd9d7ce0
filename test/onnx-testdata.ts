// ONNX's operator test models (Debian package libonnx-testdata): each folder holds model.onnx and
// test_data_set_*/input_N.pb (serialized TensorProtos).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { rng } from '../src/tensors/index.js';
import { DataType, decodeTensor, num, type ModelProto, type TensorProto } from '../src/model/index.js';

import { resource } from './tools.js';

export const TESTDATA = '/usr/share/libonnx-testdata/data';
/** Whether ONNX's operator test models are installed (the skip is recorded when they are not). */
export const HAS_TESTDATA = () => resource(existsSync(join(TESTDATA, 'node')), `ONNX's operator test models (${TESTDATA})`, 'libonnx-testdata');

export function testModelDirs(): string[] {
  const out: string[] = [];
  for (const group of ['node', 'simple', 'pytorch-converted', 'pytorch-operator']) {
    const base = join(TESTDATA, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base).sort()) if (existsSync(join(base, d, 'model.onnx'))) out.push(join(base, d));
  }
  return out;
}

const TYPES: Record<number, [ort.Tensor.Type, number, string]> = {
  [DataType.FLOAT]: ['float32', 4, 'getFloat32'],
  [DataType.DOUBLE]: ['float64', 8, 'getFloat64'],
  [DataType.INT8]: ['int8', 1, 'getInt8'],
  [DataType.UINT8]: ['uint8', 1, 'getUint8'],
  [DataType.INT16]: ['int16', 2, 'getInt16'],
  [DataType.UINT16]: ['uint16', 2, 'getUint16'],
  [DataType.INT32]: ['int32', 4, 'getInt32'],
  [DataType.UINT32]: ['uint32', 4, 'getUint32'],
  [DataType.INT64]: ['int64', 8, 'getBigInt64'],
  [DataType.UINT64]: ['uint64', 8, 'getBigUint64'],
  [DataType.BOOL]: ['bool', 1, 'getUint8'],
  [DataType.FLOAT16]: ['float16', 2, 'getUint16'],
};

/** A TensorProto as an ORT tensor; undefined for types this harness does not feed. */
export function toOrt(t: TensorProto): ort.Tensor | undefined {
  const dims = t.dims.map(num);
  const n = dims.reduce((a, b) => a * b, 1);
  const spec = TYPES[t.data_type ?? 0];
  if (t.data_type === DataType.STRING) return new ort.Tensor('string', t.string_data.map((s) => Buffer.from(s).toString()), dims);
  if (!spec) return undefined;
  const [type, size, getter] = spec;
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : undefined;
  const values: Array<number | bigint> = [];
  if (raw) {
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) values.push((v as unknown as Record<string, (o: number, le: boolean) => number | bigint>)[getter](i * size, true));
  } else if (type === 'float32') values.push(...t.float_data);
  else if (type === 'float64') values.push(...t.double_data);
  else if (type === 'int64') values.push(...t.int64_data.map((x) => BigInt(x.toString())));
  else if (type === 'uint64') values.push(...t.uint64_data.map((x) => BigInt(x.toString())));
  else values.push(...t.int32_data);
  const ctor = {
    float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
    int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array, float16: Uint16Array,
  }[type as string] as unknown as { from(a: unknown[]): ort.Tensor.DataType };
  return new ort.Tensor(type, ctor.from(values), dims);
}

/** The inputs of test_data_set_0, keyed by the model's non-initializer graph inputs. */
export function testInputs(dir: string, model: ModelProto): Record<string, ort.Tensor> | undefined {
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  const names = g.input.filter((i) => !inits.has(i.name)).map((i) => i.name);
  const feeds: Record<string, ort.Tensor> = {};
  for (let i = 0; i < names.length; i++) {
    const file = join(dir, 'test_data_set_0', `input_${i}.pb`);
    if (!existsSync(file) || !g.input.find((x) => x.name === names[i])?.type?.tensor_type) return undefined;
    let t: ort.Tensor | undefined;
    try {
      t = toOrt(decodeTensor(readFileSync(file)));
    } catch {
      return undefined;
    }
    if (!t) return undefined;
    feeds[names[i]] = t;
  }
  return feeds;
}

export function sameOutputs(a: ort.InferenceSession.ReturnType, b: ort.InferenceSession.ReturnType): string | null {
  for (const k of Object.keys(a)) {
    const x = a[k];
    const y = b[k];
    if (!y) return `${k}: missing`;
    if (x.dims.join() !== y.dims.join()) return `${k}: dims ${x.dims} vs ${y.dims}`;
    const xd = x.data as ArrayLike<unknown>;
    const yd = y.data as ArrayLike<unknown>;
    for (let i = 0; i < xd.length; i++) {
      if (xd[i] !== yd[i] && !(Number.isNaN(xd[i]) && Number.isNaN(yd[i]))) return `${k}[${i}]: ${xd[i]} vs ${yd[i]}`;
    }
  }
  return null;
}

/** Seeded feeds for a model's inputs: dims given in `shapes`, else the model's (dynamic -> 1). */
export function seededFeeds(model: ModelProto, shapes: Record<string, number[]> = {}, consts: Record<string, ort.Tensor> = {}, seed = 1): Record<string, ort.Tensor> {
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  const next = rng(seed);
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of g.input) {
    if (inits.has(i.name)) continue;
    if (consts[i.name]) {
      feeds[i.name] = consts[i.name];
      continue;
    }
    const tt = i.type!.tensor_type!;
    const dims = shapes[i.name] ?? tt.shape!.dim.map((d) => num(d.dim_value) || 1);
    const n = dims.reduce((a, b) => a * b, 1);
    if (tt.elem_type !== DataType.FLOAT) throw new Error(`seededFeeds: ${i.name} is not float32`);
    feeds[i.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, next), dims);
  }
  return feeds;
}

/** Feeds for the real models of test/helpers.ts (small shapes: tests check behaviour). */
export const REAL_SHAPES: Record<string, { shapes?: Record<string, number[]>; consts?: () => Record<string, ort.Tensor> }> = {
  digits: {},
  ocrCls: { shapes: { x: [1, 3, 48, 192] } },
  ocrDet: { shapes: { x: [1, 3, 64, 64] } },
  ocrRec: { shapes: { x: [1, 3, 48, 96] } },
  vadV5: { shapes: { input: [1, 512], state: [2, 1, 128] }, consts: () => ({ sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []) }) },
  vadLegacy: { shapes: { input: [1, 512], h: [2, 1, 64], c: [2, 1, 64] }, consts: () => ({ sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []) }) },
  wakeword: {},
};
