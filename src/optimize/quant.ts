// Linear quantization arithmetic shared by the int8 targets: r = s * (q - z).
// Same conventions as ONNX Runtime's quantizer: the range always includes 0; symmetric ranges are
// ±max(|rmin|, |rmax|); symmetric int8 uses [-127, 127]; rounding is half to even.

export interface QParams { scale: number; zeroPoint: number }

export const INT8_SYMMETRIC = { qmin: -127, qmax: 127 };
/**
 * 7-bit weights (ORT's reduce_range) for u8 x s8 kernels: x86 CPUs without VNNI multiply with
 * vpmaddubsw, whose int16 pair sums saturate past 255 * 64 * 2; measured on an AVX2 EPYC, the
 * encoder's int8-dynamic cosine went from 0.9954 to 0.9997 with them.
 */
export const INT8_REDUCED = { qmin: -64, qmax: 64 };
export const UINT8 = { qmin: 0, qmax: 255 };

/** Round half to even (numpy.round), the rounding QuantizeLinear itself uses. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function scaleZeroPoint(rmin: number, rmax: number, q: { qmin: number; qmax: number }, symmetric: boolean): QParams {
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (symmetric) {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -m;
    hi = m;
  }
  const scale = Math.fround((hi - lo) / (q.qmax - q.qmin));
  // A range of (almost) nothing: any scale works; 1 keeps the zero point exact.
  if (!(scale >= 1.1754943508222875e-38)) return { scale: 1, zeroPoint: 0 };
  const zp = symmetric ? 0 : roundHalfEven(q.qmin - lo / scale);
  return { scale, zeroPoint: Math.max(q.qmin, Math.min(q.qmax, zp)) };
}

export function quantizeValue(x: number, p: QParams, q: { qmin: number; qmax: number }): number {
  const v = roundHalfEven(x / p.scale) + p.zeroPoint;
  return v < q.qmin ? q.qmin : v > q.qmax ? q.qmax : v;
}

/**
 * Symmetric int8 weights (in `range`), per channel along `axis` (one scale per slice) or per tensor (axis null).
 */
export function quantizeWeights(values: Float32Array, dims: number[], axis: number | null, range = INT8_SYMMETRIC): { q: Int8Array; scales: Float32Array } {
  const channels = axis === null ? 1 : dims[axis];
  const inner = axis === null ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === null ? 0 : Math.floor(i / inner) % channels);
  const absmax = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    const a = Math.abs(values[i]);
    if (a > absmax[c]) absmax[c] = a;
  }
  const params = Array.from(absmax, (m) => scaleZeroPoint(-m, m, range, true));
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = quantizeValue(values[i], params[channelOf(i)], range);
  return { q, scales: Float32Array.from(params, (p) => p.scale) };
}

/** Bias as int32 with scale s_input * s_weight (per channel) and zero point 0. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): { q: Int32Array; scales: Float32Array } {
  const scales = new Float32Array(bias.length);
  const q = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const s = Math.fround(inputScale * weightScales[weightScales.length === 1 ? 0 : i]);
    scales[i] = s > 0 ? s : 1;
    q[i] = Math.max(-2147483648, Math.min(2147483647, roundHalfEven(bias[i] / scales[i])));
  }
  return { q, scales };
}
