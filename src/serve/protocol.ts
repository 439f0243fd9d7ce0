// The Open Inference Protocol v2 (KServe v2, spoken by Triton, MLServer, OpenVINO Model Server):
// its tensor datatypes against ONNX Runtime's, and a request's JSON tensors checked and turned
// into runtime tensors, every problem one message for a 400 `{"error": ...}`.
import { toFloat16Bits } from '../tensors/index.js';
import { fromFloat16Bits } from '../model/index.js';

/** OIP datatype → onnxruntime-node tensor type (BYTES is not served: no model input of ours takes strings). */
export const OIP_TO_ORT: Record<string, string> = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64', FP16: 'float16', FP32: 'float32', FP64: 'float64',
};

export const ORT_TO_OIP: Record<string, string> = Object.fromEntries(Object.entries(OIP_TO_ORT).map(([k, v]) => [v, k]));

export class ProtocolError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

export interface TensorMeta {
  name: string;
  datatype: string;
  /** -1 for a dynamic dimension. */
  shape: number[];
}

export interface RequestTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
}

/** `[[1,2],[3,4]]` or `[1,2,3,4]` → the flat list, row-major, as the protocol allows either. */
function flatten(data: unknown, out: unknown[], depth = 0): void {
  if (depth > 32) throw new ProtocolError('data is nested deeper than 32 levels');
  if (Array.isArray(data)) for (const x of data) flatten(x, out, depth + 1);
  else out.push(data);
}

type Typed = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

const ARRAYS: Record<string, (n: number) => Typed> = {
  float32: (n) => new Float32Array(n), float64: (n) => new Float64Array(n), int8: (n) => new Int8Array(n), int16: (n) => new Int16Array(n),
  int32: (n) => new Int32Array(n), uint8: (n) => new Uint8Array(n), uint16: (n) => new Uint16Array(n), uint32: (n) => new Uint32Array(n),
  int64: (n) => new BigInt64Array(n), uint64: (n) => new BigUint64Array(n), bool: (n) => new Uint8Array(n), float16: (n) => new Uint16Array(n),
};

/** Checks one request tensor against the model's input and returns its data as the runtime wants it. */
export function toRuntime(t: RequestTensor, meta: TensorMeta, maxElements: number): { type: string; data: Typed; dims: number[] } {
  const where = `input '${meta.name}'`;
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ProtocolError(`${where}: shape must be a list of whole numbers`);
  if (typeof t.datatype === 'string' && !OIP_TO_ORT[t.datatype]) {
    throw new ProtocolError(`${where}: datatype ${JSON.stringify(t.datatype).slice(0, 40)} is not served here (${Object.keys(OIP_TO_ORT).join(', ')}); the model takes ${meta.datatype}`);
  }
  if (t.datatype !== meta.datatype) throw new ProtocolError(`${where}: datatype ${JSON.stringify(t.datatype)} does not match the model's ${meta.datatype}`);
  if (t.shape.length !== meta.shape.length || t.shape.some((d, i) => meta.shape[i] >= 0 && d !== meta.shape[i])) {
    throw new ProtocolError(`${where}: shape [${t.shape.join(',')}] does not fit the model's [${meta.shape.map((d) => (d < 0 ? -1 : d)).join(',')}]`);
  }
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count > maxElements) throw new ProtocolError(`${where}: ${count} elements, more than the ${maxElements} this server takes`, 413);
  const flat: unknown[] = [];
  flatten(t.data, flat);
  if (flat.length !== count) throw new ProtocolError(`${where}: ${flat.length} values for shape [${t.shape.join(',')}] (${count} expected)`);
  const type = OIP_TO_ORT[meta.datatype];
  const data = ARRAYS[type](count);
  for (let i = 0; i < count; i++) {
    const v = flat[i];
    if (type === 'bool') {
      if (typeof v !== 'boolean') throw new ProtocolError(`${where}: value ${i} is not true or false`);
      data[i] = v ? 1 : 0;
    } else if (type === 'int64' || type === 'uint64') {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ProtocolError(`${where}: value ${i} is not a whole number`);
      (data as BigInt64Array)[i] = BigInt(v);
    } else if (type === 'float16') {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolError(`${where}: value ${i} is not a finite number`);
      if (Math.abs(v) > 65504) throw new ProtocolError(`${where}: value ${i} (${v}) is beyond FP16's largest finite value, 65504`);
      data[i] = toFloat16Bits(v);
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolError(`${where}: value ${i} is not a finite number`);
      if (!type.startsWith('float') && !Number.isInteger(v)) throw new ProtocolError(`${where}: value ${i} is not a whole number`);
      (data as Float32Array)[i] = v;
    }
  }
  return { type, data, dims: t.shape };
}

/** A runtime output as a protocol tensor (64-bit integers as JSON numbers). */
export function fromRuntime(name: string, type: string, dims: readonly number[], data: ArrayLike<number | bigint | boolean | string>): { name: string; datatype: string; shape: number[]; data: Array<number | boolean> } {
  const datatype = ORT_TO_OIP[type];
  if (!datatype) throw new ProtocolError(`output '${name}' is of type ${type}, which this server does not return`, 500);
  const out: Array<number | boolean> = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // FP16 comes back as binary16 bits (a Uint16Array) where the runtime has no Float16Array.
    out[i] = type === 'bool' ? Boolean(v) : type === 'float16' && data instanceof Uint16Array ? fromFloat16Bits(v as number) : Number(v);
  }
  return { name, datatype, shape: [...dims], data: out };
}
