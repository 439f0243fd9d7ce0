// Input data: seeded random values in a sensible range per dtype, a constant, or a NumPy file.
import { readFileSync } from 'node:fs';
import { parse as parseNpy, type NpyArray } from 'npyjs';
import { UserError, oneLine } from '../errors.js';
import { elementCount } from './inputs.js';
import type { ResolvedInput, TensorData } from './types.js';

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same inputs on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** IEEE half-precision bits of a number, round to nearest even, saturating to ±Inf. */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  let out = sign | (e << 10) | m;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) out++;
  return out;
}

/**
 * Random values a model of that input type would plausibly see: floats uniform in [0, 1)
 * (normalised images and audio), integers in [0, 10) (token ids, indices, counts),
 * int8/uint8 over their whole range (quantised tensors, raw pixels), bools either way.
 */
export function randomData(type: string, count: number, next: () => number): TensorData {
  switch (type) {
    case 'float32': return Float32Array.from({ length: count }, next);
    case 'float64': return Float64Array.from({ length: count }, next);
    case 'float16': return Uint16Array.from({ length: count }, () => toFloat16Bits(next()));
    case 'int8': return Int8Array.from({ length: count }, () => Math.floor(next() * 256) - 128);
    case 'uint8': return Uint8Array.from({ length: count }, () => Math.floor(next() * 256));
    case 'bool': return Uint8Array.from({ length: count }, () => (next() < 0.5 ? 0 : 1));
    case 'int16': return Int16Array.from({ length: count }, () => Math.floor(next() * 10));
    case 'uint16': return Uint16Array.from({ length: count }, () => Math.floor(next() * 10));
    case 'int32': return Int32Array.from({ length: count }, () => Math.floor(next() * 10));
    case 'uint32': return Uint32Array.from({ length: count }, () => Math.floor(next() * 10));
    case 'int64': return BigInt64Array.from({ length: count }, () => BigInt(Math.floor(next() * 10)));
    case 'uint64': return BigUint64Array.from({ length: count }, () => BigInt(Math.floor(next() * 10)));
    case 'string': return Array.from({ length: count }, () => 'edgeml');
    default: throw new UserError(`input type ${type} cannot be generated`);
  }
}

export function constantData(type: string, count: number, value: number): TensorData {
  const data = randomData(type, count, () => 0);
  if (Array.isArray(data)) return data.fill(String(value));
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return data.fill(BigInt(Math.trunc(value)));
  if (type === 'float16') return (data as Uint16Array).fill(toFloat16Bits(value));
  if (type === 'bool') return (data as Uint8Array).fill(value ? 1 : 0);
  (data as Float32Array).fill(value);
  return data;
}

/** NumPy dtype codes per ORT tensor type. */
const NPY_DTYPES: Record<string, string> = {
  float32: 'f4', float64: 'f8', float16: 'f2', int8: 'i1', uint8: 'u1', int16: 'i2', uint16: 'u2',
  int32: 'i4', uint32: 'u4', int64: 'i8', uint64: 'u8', bool: 'b1',
};

export function readNpy(file: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : oneLine(e)}; check the path given to --data`);
  }
  try {
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const arr = parseNpy(buf, { convertFloat16: false });
    if (arr.fortranOrder) throw new Error('Fortran-ordered arrays are not supported; save it with np.ascontiguousarray');
    const expected = elementCount(arr.shape);
    const got = (arr.data as unknown as { length: number }).length;
    if (got < expected) throw new Error(`it holds ${got} values but its header says shape [${arr.shape.join(', ')}]`);
    return arr;
  } catch (e) {
    throw new UserError(`${file}: not a readable .npy file (${oneLine(e)}); write it with numpy.save`);
  }
}

/**
 * The first value of float data that is NaN or infinite, with its index, or null (integer types
 * are always finite; float16 arrives as its bits, exponent all ones).
 */
export function firstNonFinite(data: TensorData, type: string): { index: number; value: string } | null {
  if (type === 'float16') {
    const bits = data as Uint16Array;
    for (let i = 0; i < bits.length; i++) {
      if ((bits[i] & 0x7c00) === 0x7c00) return { index: i, value: bits[i] & 0x3ff ? 'NaN' : bits[i] & 0x8000 ? '-Infinity' : 'Infinity' };
    }
    return null;
  }
  if (type !== 'float32' && type !== 'float64') return null;
  const values = data as Float32Array | Float64Array;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return { index: i, value: String(values[i]) };
  return null;
}

/** Checks an .npy array against the input it feeds; returns its data as ORT wants it. */
export function npyForInput(arr: NpyArray, input: ResolvedInput): TensorData {
  const want = NPY_DTYPES[input.type];
  if (!want || arr.dtype !== want) {
    throw new UserError(
      `${input.file}: dtype '${arr.dtype}' does not match input '${input.name}' (${input.type}); save it as '${want ?? input.type}' (e.g. arr.astype(np.${input.type === 'bool' ? 'bool_' : input.type}))`,
    );
  }
  const data = arr.data as unknown as TensorData;
  return input.type === 'bool' ? new Uint8Array((data as Uint8Array).buffer, (data as Uint8Array).byteOffset, (data as Uint8Array).length) : data;
}
