import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: external "node:perf_hooks"
const external_node_perf_hooks_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");
;// CONCATENATED MODULE: ./build/src/errors.js
/**
 * The one way an entry point learns its exit status from a thrown error: 1 for a failed verdict
 * (`CheckFailure`), 2 for input the user can fix (`UserError`). The CLI exits with `exitCode`, an
 * action calls setFailed with the one-line message; anything else that escapes is a bug (exit 3,
 * with its stack). Recognised by class (`instanceof`), never by `name`.
 */
class ExitError extends Error {
    exitCode;
    constructor(message, exitCode) {
        super(message);
        this.exitCode = exitCode;
    }
}
/**
 * An error the user can fix: a missing file, a bad flag, a model that rejects its input.
 * Entry points print only its message (one line, no stack) and exit with status 2.
 */
class errors_UserError extends ExitError {
    constructor(message) {
        super(message, 2);
        this.name = 'UserError';
    }
}
function isUserError(e) {
    return e instanceof errors_UserError;
}
/** The message of anything thrown, as one line. */
function oneLine(e) {
    const text = e instanceof Error ? e.message : String(e);
    return text.replace(/\s*\n\s*/g, ' ').trim();
}
/**
 * The work was done but its verdict is a failure (a budget broken, an artifact below its fidelity
 * floor, a release refused for a failed check): entry points print the message and exit with status 1.
 */
class CheckFailure extends ExitError {
    constructor(message) {
        super(message, 1);
        this.name = 'CheckFailure';
    }
}
/** Every setting named by its flag: values typed on the command line or defaults. */
const FLAG_NAMES = { key: (flag) => flag, at: () => '' };
/** Every setting named as the action input it came from (`input 'min-duration'`). */
const INPUT_NAMES = { key: (flag) => `input '${flag.replace(/^--/, '')}'`, at: () => '' };
/** `file:line:col: key`, or the flag: for a message about one setting. */
function settingName(names, flag) {
    return `${names.at(flag)}${names.key(flag)}`;
}

;// CONCATENATED MODULE: ./node_modules/npyjs/dist/index.js
// src/index.ts
var StringFromCodePoint = class extends String {
  constructor(buf, byteOffset, length) {
    const uint32 = new Uint32Array(buf, byteOffset, length);
    const number_arr = Array.from(uint32);
    const str = String.fromCodePoint(...number_arr);
    super(str);
  }
};
var textDecoder = new TextDecoder("latin1");
function readHeader(buf) {
  const view = new DataView(buf);
  const magic = String.fromCharCode(
    view.getUint8(0),
    view.getUint8(1),
    view.getUint8(2),
    view.getUint8(3),
    view.getUint8(4),
    view.getUint8(5)
  );
  if (magic !== "\x93NUMPY") throw new Error("Not an .npy file");
  const major = view.getUint8(6);
  const minor = view.getUint8(7);
  let headerLen;
  if (major <= 1) {
    headerLen = view.getUint16(8, true);
    return { headerOffset: 10, headerLen, version: [major, minor] };
  } else {
    headerLen = Number(view.getUint32(8, true));
    return { headerOffset: 12, headerLen, version: [major, minor] };
  }
}
function parseDict(dictStr) {
  const dtype = /'descr'\s*:\s*'([^']+)'/.exec(dictStr)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dictStr)?.[1] === "True";
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(dictStr)?.[1] ?? "";
  const shape = shapeMatch.split(",").map((s) => s.trim()).filter(Boolean).map((n) => Number(n));
  if (shape.length === 1 && dictStr.includes("(n,)")) ;
  return { dtype, fortranOrder: fortran, shape };
}
function dtypeToArray(dtype, buf, offset, opts) {
  const little = dtype.startsWith("<") || dtype.startsWith("|");
  const code = little ? dtype.substring(1) : dtype;
  if (code[0] === "U") {
    const size = parseInt(code.substring(1));
    const _string = String(new StringFromCodePoint(buf, offset));
    const strings = [];
    for (let i = 0; i < _string.length; i += size) {
      strings.push(_string.substring(i, i + size).replace(/\0/g, ""));
    }
    return strings;
  }
  switch (code) {
    case "b1": {
      if (little) {
        const u8 = new Uint8Array(buf, offset);
        const bools = new Array(u8.length);
        for (let i = 0; i < u8.length; i++) bools[i] = u8[i] !== 0;
        return bools;
      } else {
        return new Uint8Array(buf, offset);
      }
    }
    case "i1":
      return new Int8Array(buf, offset);
    case "u1":
      return new Uint8Array(buf, offset);
    case "i2":
      return new Int16Array(buf, offset);
    case "u2":
      return new Uint16Array(buf, offset);
    case "i4":
      return new Int32Array(buf, offset);
    case "u4":
      return new Uint32Array(buf, offset);
    case "i8":
      return new BigInt64Array(buf, offset);
    case "u8":
      return new BigUint64Array(buf, offset);
    case "f4":
      return new Float32Array(buf, offset);
    case "f8":
      return new Float64Array(buf, offset);
    case "c8":
      return new Float32Array(buf, offset);
    case "c16":
      return new Float64Array(buf, offset);
    case "f2": {
      if (opts.convertFloat16 !== false) {
        const u16 = new Uint16Array(buf, offset);
        const f32 = new Float32Array(u16.length);
        for (let i = 0; i < u16.length; i++) f32[i] = f16toF32(u16[i]);
        return f32;
      }
      return new Uint16Array(buf, offset);
    }
    default:
      throw new Error(`Unsupported dtype: ${dtype}`);
  }
}
function f16toF32(u16) {
  const s = (u16 & 32768) >> 15;
  const e = (u16 & 31744) >> 10;
  const f = u16 & 1023;
  if (e === 0) return (s ? -1 : 1) * Math.pow(2, -14) * (f / Math.pow(2, 10));
  if (e === 31) return f ? NaN : s ? -Infinity : Infinity;
  return (s ? -1 : 1) * Math.pow(2, e - 15) * (1 + f / Math.pow(2, 10));
}
async function load(source, opts = {}) {
  let buf;
  if (typeof source === "string") {
    const res = await fetch(source);
    buf = await res.arrayBuffer();
  } else if (source instanceof ArrayBuffer) {
    buf = source;
  } else if (source instanceof Blob) {
    buf = await source.arrayBuffer();
  } else {
    buf = source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength);
  }
  return parse(buf, opts);
}
function parse(buf, opts = {}) {
  const { headerOffset, headerLen } = readHeader(buf);
  const headerBytes = new Uint8Array(buf, headerOffset, headerLen);
  const header = textDecoder.decode(headerBytes).trim();
  const { dtype, fortranOrder, shape } = parseDict(header);
  if (!dtype || !shape) throw new Error("Malformed .npy header");
  const dataOffset = headerOffset + headerLen;
  const data = dtypeToArray(dtype, buf, dataOffset, opts);
  return { data, shape, dtype: dtype.slice(1), fortranOrder };
}
function float16ToFloat32(u16) {
  return f16toF32(u16);
}
function arrayToDtype(array) {
  if (array instanceof Uint8Array) {
    return "u1";
  }
  if (array instanceof Uint8ClampedArray) {
    return "u1";
  }
  if (array instanceof Int8Array) {
    return "i1";
  }
  if (array instanceof Uint16Array) {
    return "u2";
  }
  if (array instanceof Int16Array) {
    return "i2";
  }
  if (array instanceof Uint32Array) {
    return "u4";
  }
  if (array instanceof Int32Array) {
    return "i4";
  }
  if (array instanceof Float32Array) {
    return "f4";
  }
  if (array instanceof BigUint64Array) {
    return "u8";
  }
  if (array instanceof BigInt64Array) {
    return "i8";
  }
  if (array instanceof Float64Array) {
    return "f8";
  }
  const kind = typeof array === "object" ? array?.constructor?.name : typeof array;
  throw new TypeError(`Unsupported dtype for ${kind}`);
}
function arrayToTypedArray(dtype, array) {
  if (!Array.isArray(array)) throw new TypeError("Expected an array");
  if (dtype.startsWith("U")) {
    const size = parseInt(dtype.substring(1));
    const buf = new ArrayBuffer(array.length * size * 4);
    const uint32 = new Uint32Array(buf);
    for (let i = 0; i < array.length; i++) {
      const str = array[i];
      for (let j = 0; j < size; j++) {
        const code = j < str.length ? str.codePointAt(j) ?? 0 : 0;
        uint32[i * size + j] = code;
      }
    }
    return new Uint8Array(buf);
  }
  switch (dtype) {
    case "b1":
      return new Uint8Array(array);
    case "i1":
      return new Int8Array(array);
    case "u1":
      return new Uint8Array(array);
    case "i2":
      return new Int16Array(array);
    case "u2":
      return new Uint16Array(array);
    case "i4":
      return new Int32Array(array);
    case "u4":
      return new Uint32Array(array);
    case "i8":
      return new BigInt64Array(array);
    case "u8":
      return new BigUint64Array(array);
    case "f4":
      return new Float32Array(array);
    case "f8":
      return new Float64Array(array);
    case "c8":
      return new Float32Array(array);
    case "c16":
      return new Float64Array(array);
    default:
      throw new Error(`Unsupported dtype: ${dtype}`);
  }
}
function inferUnicodeDtypeFromStringArray(array) {
  let longestStringLength = array[0].length;
  for (let i = 1; i < array.length; i++) {
    const element = array[i];
    if (typeof element === "string" && element.length > longestStringLength) {
      longestStringLength = element.length;
    }
  }
  return `U${Math.max(1, longestStringLength)}`;
}
function inferDtypeFromNumberArray(array) {
  let isInteger = true;
  let isNonNegative = true;
  let maxAbsValue = 0;
  for (const num of array) {
    if (!Number.isInteger(num)) {
      isInteger = false;
    }
    if (num < 0) {
      isNonNegative = false;
    }
    const absNum = Math.abs(num);
    if (absNum > maxAbsValue) {
      maxAbsValue = absNum;
    }
  }
  if (!isInteger) {
    if (maxAbsValue <= 340282347e30) return "f4";
    return "f8";
  }
  if (isNonNegative) {
    if (maxAbsValue <= 255) return "u1";
    if (maxAbsValue <= 65535) return "u2";
    if (maxAbsValue <= 4294967295) return "u4";
    return "u8";
  } else {
    if (maxAbsValue <= 127) return "i1";
    if (maxAbsValue <= 32767) return "i2";
    if (maxAbsValue <= 2147483647) return "i4";
    return "i8";
  }
}
function inferDtypeFromArray(array) {
  if (array.length === 0) return "f8";
  const first = array[0];
  if (typeof first === "number") {
    return inferDtypeFromNumberArray(array);
  }
  if (typeof first === "string") {
    return inferUnicodeDtypeFromStringArray(array);
  }
  if (Array.isArray(first)) {
    return inferDtypeFromArray(first);
  }
  if (typeof first === "boolean") {
    return "b1";
  }
  throw new TypeError("Array elements must be numbers, strings or booleans");
}
function isLittleEndian() {
  return new Uint32Array(new Uint8Array([1, 0, 0, 0]).buffer)[0] === 1;
}
function createPyDescription(dtype, shape) {
  const isByte = dtype == "u1" || dtype == "i1";
  const endianness = isByte ? "|" : isLittleEndian() ? "<" : ">";
  const descr = `${endianness}${dtype}`;
  let pyShape = shape.map((v) => {
    return `${v}`;
  }).join(",");
  if (shape.length === 1) pyShape += ",";
  return `{'descr':'${descr}','fortran_order':False,'shape':(${pyShape})}`;
}
function dump(array, shape, options) {
  let dtype;
  if (options?.dtype) {
    dtype = options.dtype;
  } else if (array instanceof Array) {
    dtype = inferDtypeFromArray(array);
  } else {
    dtype = arrayToDtype(array);
  }
  array = array instanceof Array ? arrayToTypedArray(dtype, array) : array;
  const effectiveLength = dtype === "c8" || dtype === "c16" ? array.length / 2 : array.length;
  let pyDesc = createPyDescription(dtype, shape ?? [effectiveLength]);
  let headerSize = 10 + pyDesc.length;
  const pad = 8 - (headerSize + 1) % 8;
  pyDesc = pyDesc + " ".repeat(pad) + "\n";
  headerSize += pad + 1;
  const buffer = new ArrayBuffer(headerSize + array.byteLength);
  const view = new DataView(buffer);
  view.setUint32(0, 2471384397, false);
  view.setUint32(4, 1348010240, false);
  view.setUint16(8, pyDesc.length, true);
  const encoder = new TextEncoder();
  const header = new Uint8Array(buffer, 10, pyDesc.length);
  encoder.encodeInto(pyDesc, header);
  const data = new Uint8Array(buffer, 10 + pyDesc.length);
  data.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return buffer;
}
var N = class {
  constructor(opts = {}) {
    this.opts = opts;
  }
  async load(source) {
    return load(source, this.opts);
  }
  parse(buf) {
    return parse(buf, this.opts);
  }
  static float16ToFloat32(u16) {
    return f16toF32(u16);
  }
  dump(array, shape, options) {
    return dump(array, shape, options);
  }
};


//# sourceMappingURL=index.js.map
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./build/src/tensors/inputs.js
// Model inputs: the flags that fix shapes and data, resolved against the model's own metadata.
// Pure functions: the worker calls them with what ORT reports, tests call them with plain data.

const SUPPORTED_TYPES = [
    'float32', 'float16', 'float64', 'int64', 'int32', 'int16', 'int8',
    'uint64', 'uint32', 'uint16', 'uint8', 'bool', 'string',
];
const BATCH_NAMES = /^(batch|batch_?size|n|b|bs|num_?batch(es)?)$/i;
// Names exporters give dims nobody named (paddle2onnx, tf2onnx, ORT's own), or none at all.
const GENERATED_NAMES = /^(|\?|-1|p2o\.DynamicDimension\.\d+|unk__\d+|dynamic_?\d*|Unsqueeze\w*_dim_\d+)$/i;
/** Split `NAME=VALUE`, where NAME may itself contain '=' only if quoted by the caller: use the last '='. */
function splitPair(flag, raw) {
    const at = raw.lastIndexOf('=');
    if (at <= 0 || at === raw.length - 1) {
        throw new UserError(`${flag} ${JSON.stringify(raw)}: expected NAME=VALUE, e.g. ${flag} x=1x3x224x224`);
    }
    return [raw.slice(0, at), raw.slice(at + 1)];
}
/** Parses `NAME=1x3x224x224` (also `1,3,224,224`; an empty shape `NAME=scalar` is a scalar). */
function parseShapeFlag(raw) {
    const [name, value] = splitPair('--input', raw);
    if (value === 'scalar')
        return [name, []];
    const parts = value.split(/[x,]/);
    const dims = parts.map((p) => Number(p));
    if (parts.some((p) => !/^\d+$/.test(p.trim())) || dims.some((d) => d < 1)) {
        throw new UserError(`--input ${raw}: the shape must be positive whole sizes joined by 'x', e.g. --input ${name}=1x3x224x224`);
    }
    return [name, dims];
}
function parseDimFlag(raw) {
    const [name, value] = splitPair('--dim', raw);
    if (!/^\d+$/.test(value) || Number(value) < 1) {
        throw new UserError(`--dim ${raw}: the size must be a positive whole number, e.g. --dim ${name}=1`);
    }
    return [name, Number(value)];
}
/** `NAME=file.npy` reads a NumPy file; `NAME=16000` fills the input with that number. */
function parseDataFlag(raw) {
    const [name, value] = splitPair('--data', raw);
    if (/\.npy$/i.test(value))
        return [name, { kind: 'npy', path: value }];
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
        throw new UserError(`--data ${raw}: give a .npy file or a number, e.g. --data ${name}=inputs.npy or --data ${name}=16000`);
    }
    return [name, { kind: 'value', value: n }];
}
function isBatchDim(dim, axis) {
    if (typeof dim === 'number')
        return false;
    return BATCH_NAMES.test(dim) || (axis === 0 && GENERATED_NAMES.test(dim));
}
function describeShape(shape) {
    return `[${shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : d === '' || d === -1 ? '?' : String(d))).join(', ')}]`;
}
function checkNames(flag, names, meta) {
    const known = new Set(meta.map((m) => m.name));
    for (const name of names) {
        if (!known.has(name)) {
            throw new errors_UserError(`${flag} ${name}=...: the model has no input named '${name}'; its inputs are ${meta.map((m) => `'${m.name}'`).join(', ')}`);
        }
    }
}
/**
 * Fixes every input's shape from, in order: `--input` (whole shape), the shape of a `--data` file,
 * `--dim` (by symbolic name), and the batch default of 1. Anything left dynamic is a UserError
 * naming the input, the dim and the flag to use.
 */
function inputs_resolveInputs(meta, spec, dataShapes = {}) {
    const shapes = spec.shapes ?? {};
    const dims = spec.dims ?? {};
    const data = spec.data ?? {};
    checkNames('--input', Object.keys(shapes), meta);
    checkNames('--data', Object.keys(data), meta);
    const symbols = new Set(meta.flatMap((m) => m.shape.filter((d) => typeof d === 'string' && d !== '')));
    for (const name of Object.keys(dims)) {
        if (!symbols.has(name)) {
            const list = [...symbols].map((s) => `'${s}'`).join(', ') || 'none';
            throw new errors_UserError(`--dim ${name}=...: the model has no dim named '${name}'; its named dims are ${list}`);
        }
    }
    return meta.map((m) => {
        if (m.isTensor === false) {
            throw new errors_UserError(`input '${m.name}' is not a tensor (sequence or map inputs are not supported yet)`);
        }
        if (!SUPPORTED_TYPES.includes(m.type)) {
            throw new errors_UserError(`input '${m.name}' has type ${m.type}, which edgeml cannot feed yet`);
        }
        const src = data[m.name];
        const given = shapes[m.name] ?? (src?.kind === 'npy' ? dataShapes[m.name] : undefined);
        const base = { name: m.name, type: m.type };
        const source = src?.kind ?? 'random';
        const extra = src?.kind === 'npy' ? { file: src.path } : src?.kind === 'value' ? { value: src.value } : {};
        if (given) {
            if (given.length !== m.shape.length) {
                if (!shapes[m.name] && src?.kind === 'npy') {
                    throw new errors_UserError(`${src.path}: holds shape [${given.join(', ')}] but input '${m.name}' has ${m.shape.length} dims ${describeShape(m.shape)}; save an array of that rank`);
                }
                throw new errors_UserError(`--input ${m.name}=${given.join('x') || 'scalar'}: input '${m.name}' has ${m.shape.length} dims ${describeShape(m.shape)}, got ${given.length}`);
            }
            m.shape.forEach((d, i) => {
                if (typeof d === 'number' && d > 0 && d !== given[i]) {
                    throw new errors_UserError(`input '${m.name}' dim ${i} is fixed at ${d} in the model ${describeShape(m.shape)}, got ${given[i]}: fix the shape given for '${m.name}'`);
                }
            });
            return { ...base, shape: [...given], batchAxis: null, source, ...extra };
        }
        let batchAxis = null;
        const shape = m.shape.map((d, i) => {
            if (typeof d === 'number' && d > 0)
                return d;
            if (typeof d === 'string' && d !== '' && dims[d] !== undefined)
                return dims[d];
            if (isBatchDim(d, i)) {
                batchAxis ??= i;
                return 1;
            }
            const named = typeof d === 'string' && d !== '' && !GENERATED_NAMES.test(d);
            const example = m.shape.map((x, j) => (j === i ? '<size>' : typeof x === 'number' && x > 0 ? x : isBatchDim(x, j) ? 1 : '<size>')).join('x');
            throw new errors_UserError(`input '${m.name}' ${describeShape(m.shape)}: dim ${i}${named ? ` ('${d}')` : ''} is dynamic; give its size with --input ${m.name}=${example}${named ? ` or --dim ${d}=<size>` : ''}`);
        });
        return { ...base, shape, batchAxis, source, ...extra };
    });
}
/** Elements in a shape (1 for a scalar). */
function elementCount(shape) {
    return shape.reduce((a, b) => a * b, 1);
}

;// CONCATENATED MODULE: ./build/src/tensors/data.js
// Input data: seeded random values in a sensible range per dtype, a constant, or a NumPy file.




/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same inputs on every machine. */
function data_rng(seed) {
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
function toFloat16Bits(x) {
    f32[0] = x;
    const bits = u32[0];
    const sign = (bits >>> 16) & 0x8000;
    const exp = (bits >>> 23) & 0xff;
    let mant = bits & 0x7fffff;
    if (exp === 0xff)
        return sign | 0x7c00 | (mant ? 0x200 : 0);
    const e = exp - 127 + 15;
    if (e >= 0x1f)
        return sign | 0x7c00;
    if (e <= 0) {
        if (e < -10)
            return sign;
        mant |= 0x800000;
        const shift = 14 - e;
        const half = 1 << (shift - 1);
        let m = mant >>> shift;
        const rest = mant & ((1 << shift) - 1);
        if (rest > half || (rest === half && m & 1))
            m++;
        return sign | m;
    }
    let m = mant >>> 13;
    const rest = mant & 0x1fff;
    let out = sign | (e << 10) | m;
    if (rest > 0x1000 || (rest === 0x1000 && m & 1))
        out++;
    return out;
}
/**
 * Random values a model of that input type would plausibly see: floats uniform in [0, 1)
 * (normalised images and audio), integers in [0, 10) (token ids, indices, counts),
 * int8/uint8 over their whole range (quantised tensors, raw pixels), bools either way.
 */
function data_randomData(type, count, next) {
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
        default: throw new errors_UserError(`input type ${type} cannot be generated`);
    }
}
function data_constantData(type, count, value) {
    const data = data_randomData(type, count, () => 0);
    if (Array.isArray(data))
        return data.fill(String(value));
    if (data instanceof BigInt64Array || data instanceof BigUint64Array)
        return data.fill(BigInt(Math.trunc(value)));
    if (type === 'float16')
        return data.fill(toFloat16Bits(value));
    if (type === 'bool')
        return data.fill(value ? 1 : 0);
    data.fill(value);
    return data;
}
/** NumPy dtype codes per ORT tensor type. */
const NPY_DTYPES = {
    float32: 'f4', float64: 'f8', float16: 'f2', int8: 'i1', uint8: 'u1', int16: 'i2', uint16: 'u2',
    int32: 'i4', uint32: 'u4', int64: 'i8', uint64: 'u8', bool: 'b1',
};
function data_readNpy(file) {
    let bytes;
    try {
        bytes = (0,external_node_fs_namespaceObject.readFileSync)(file);
    }
    catch (e) {
        const code = e.code;
        throw new errors_UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : oneLine(e)}; check the path given to --data`);
    }
    try {
        const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const arr = parse(buf, { convertFloat16: false });
        if (arr.fortranOrder)
            throw new Error('Fortran-ordered arrays are not supported; save it with np.ascontiguousarray');
        const expected = elementCount(arr.shape);
        const got = arr.data.length;
        if (got < expected)
            throw new Error(`it holds ${got} values but its header says shape [${arr.shape.join(', ')}]`);
        return arr;
    }
    catch (e) {
        throw new errors_UserError(`${file}: not a readable .npy file (${oneLine(e)}); write it with numpy.save`);
    }
}
/**
 * The first value of float data that is NaN or infinite, with its index, or null (integer types
 * are always finite; float16 arrives as its bits, exponent all ones).
 */
function data_firstNonFinite(data, type) {
    if (type === 'float16') {
        const bits = data;
        for (let i = 0; i < bits.length; i++) {
            if ((bits[i] & 0x7c00) === 0x7c00)
                return { index: i, value: bits[i] & 0x3ff ? 'NaN' : bits[i] & 0x8000 ? '-Infinity' : 'Infinity' };
        }
        return null;
    }
    if (type !== 'float32' && type !== 'float64')
        return null;
    const values = data;
    for (let i = 0; i < values.length; i++)
        if (!Number.isFinite(values[i]))
            return { index: i, value: String(values[i]) };
    return null;
}
/** Checks an .npy array against the input it feeds; returns its data as ORT wants it. */
function data_npyForInput(arr, input) {
    const want = NPY_DTYPES[input.type];
    if (!want || arr.dtype !== want) {
        throw new errors_UserError(`${input.file}: dtype '${arr.dtype}' does not match input '${input.name}' (${input.type}); save it as '${want ?? input.type}' (e.g. arr.astype(np.${input.type === 'bool' ? 'bool_' : input.type}))`);
    }
    const data = arr.data;
    return input.type === 'bool' ? new Uint8Array(data.buffer, data.byteOffset, data.length) : data;
}

;// CONCATENATED MODULE: external "node:module"
const external_node_module_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:module");
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: ./build/src/tensors/ort.js
// Finds and loads onnxruntime-node. It is never bundled (native code, ~290 MB): in this repo it
// comes from node_modules; on a runner the composite action installs it and sets EDGEML_RUNTIME_DIR.




const RUNTIME_PACKAGE = 'onnxruntime-node';
function ort_loadOrt() {
    const require = (0,external_node_module_namespaceObject.createRequire)(import.meta.url);
    const here = (0,external_node_path_namespaceObject.dirname)((0,external_node_url_namespaceObject.fileURLToPath)(import.meta.url));
    const paths = [process.env.EDGEML_RUNTIME_DIR, here, process.cwd()].filter((p) => !!p);
    let resolved;
    try {
        resolved = require.resolve(RUNTIME_PACKAGE, { paths });
    }
    catch {
        throw new errors_UserError(`${RUNTIME_PACKAGE} is not installed: run 'npm install ${RUNTIME_PACKAGE}' or set EDGEML_RUNTIME_DIR to the folder whose node_modules holds it`);
    }
    return require(resolved);
}

;// CONCATENATED MODULE: ./build/src/tensors/samples.js




/** Parses `--calibration NAME=x.npy` flags. */
function parseCalibrationFlags(raw) {
    const out = {};
    for (const r of raw) {
        const at = r.indexOf('=');
        if (at <= 0 || at === r.length - 1)
            throw new UserError(`--calibration ${r}: expected NAME=file.npy, e.g. --calibration pixels=calib.npy`);
        out[r.slice(0, at)] = r.slice(at + 1);
    }
    return out;
}
/** The model's inputs as ORT reports them. */
async function inputMetaOf(model) {
    const ort = loadOrt();
    const s = await ort.InferenceSession.create(model, { logSeverityLevel: 3, graphOptimizationLevel: 'disabled' });
    try {
        const meta = s.inputMetadata;
        return meta ?? s.inputNames.map((name) => ({ name, type: 'float32', shape: [] }));
    }
    finally {
        await s.release();
    }
}
/**
 * Splits each .npy along its first axis into samples and groups them in batches. An input whose
 * first dim is fixed (often 1) is fed one sample at a time. Every problem names the file, a NaN or
 * infinite value among them (optimize's calibration and validation data, eval's inputs).
 */
function calibrationSet(meta, files, batchSize = 16, maxSamples = Infinity, spec = {}) {
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
            throw new UserError(`${file}: input '${m.name}' holds ${bad.value} at index ${bad.index} (sample ${Math.floor(bad.index / per)}); samples must be finite numbers: replace it (e.g. numpy.nan_to_num) or drop that sample, and save the file again`);
        }
        return { m, shape, per, data: data };
    });
    if (samples <= 0)
        throw new UserError(`${files[names[0]]}: holds no samples; save at least one`);
    samples = Math.min(samples, maxSamples);
    // An input fed the same value every time (--data) takes no batch: samples go one at a time.
    const fixedBatch = fixed.size > 0 || calibrated.some((m) => typeof m.shape[0] === 'number' && m.shape[0] > 0);
    const step = fixed.size ? 1 : fixedBatch ? calibrated[0].shape[0] : batchSize;
    const batches = [];
    for (let start = 0; start + (fixedBatch ? step : 1) <= samples; start += step) {
        const count = Math.min(step, samples - start);
        const feeds = {};
        for (const { m, shape, per, data } of arrays) {
            const slice = data.subarray(start * per, (start + count) * per);
            feeds[m.name] = new ort.Tensor(m.type, slice, [count, ...shape.slice(1)]);
        }
        for (const f of fixed.values())
            feeds[f.input.name] = new ort.Tensor(f.input.type, f.data, f.input.shape);
        batches.push(feeds);
    }
    return { batches, samples, source: 'calibration' };
}
/** Seeded random samples shaped by the model and the `--input`/`--dim` flags; `--data` inputs hold their value. */
function randomSet(meta, spec, count = 4, seed = 1) {
    const ort = loadOrt();
    const inputs = resolveInputs(meta, spec, npyShapes(spec));
    const fixed = fixedInputs(meta, spec, {});
    const next = rng(seed);
    const batches = [];
    for (let i = 0; i < count; i++) {
        const feeds = {};
        for (const input of inputs) {
            const f = fixed.get(input.name);
            const n = input.shape.reduce((a, b) => a * b, 1);
            feeds[input.name] = new ort.Tensor(input.type, (f ? f.data : randomData(input.type, n, next)), input.shape);
        }
        batches.push(feeds);
    }
    return { batches, samples: count, source: 'random' };
}
function npyShapes(spec) {
    return Object.fromEntries(Object.entries(spec.data ?? {}).flatMap(([name, src]) => (src.kind === 'npy' ? [[name, readNpy(src.path).shape]] : [])));
}
/**
 * Inputs given one value for every sample with `--data NAME=file.npy|number` (a sample rate, a
 * recurrent state): not calibrated, fed as they are. An input cannot have both.
 */
function fixedInputs(meta, spec, files) {
    const data = spec.data ?? {};
    const out = new Map();
    if (!Object.keys(data).length)
        return out;
    for (const name of Object.keys(data)) {
        if (!meta.some((m) => m.name === name))
            throw new UserError(`--data ${name}=...: the model has no input named '${name}'; its inputs are ${meta.map((m) => `'${m.name}'`).join(', ')}`);
        if (files[name])
            throw new UserError(`--data ${name} and --calibration ${name}: give one of them; --calibration gives samples, --data one value for every sample`);
    }
    const own = meta.filter((m) => data[m.name] || !Object.keys(files).length);
    const mine = (r) => Object.fromEntries(Object.entries(r ?? {}).filter(([k]) => own.some((m) => m.name === k)));
    const resolved = resolveInputs(own, { ...spec, shapes: mine(spec.shapes) }, npyShapes(spec));
    for (const input of resolved) {
        const src = data[input.name];
        if (!src)
            continue;
        const n = input.shape.reduce((a, b) => a * b, 1);
        const values = src.kind === 'value' ? constantData(input.type, n, src.value) : npyForInput(readNpy(src.path), { ...input, file: src.path });
        out.set(input.name, { input, data: values });
    }
    return out;
}

;// CONCATENATED MODULE: ./build/src/tensors/outputs.js

function fidelityRecord(f) {
    const { nonFinite: _, ...rest } = f;
    return { ...rest, maxAbsError: Number.isFinite(f.maxAbsError) ? f.maxAbsError : null };
}
const DEFAULT_FLOOR = { cosine: 0.99, top1Agreement: 0.95, absTolerance: 1e-4 };
/** Runs a model file (or bytes) on every batch (a list, or made on demand); keeps the float32 outputs. */
async function runOutputs(model, batches, threads = 0, onBatch) {
    const ort = loadOrt();
    // 4 (fatal only): a failed run is one exception, not ORT log lines on stderr as well.
    const opts = { logSeverityLevel: 4, ...(threads ? { intraOpNumThreads: threads } : {}) };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
    try {
        const all = [];
        for await (const feeds of batches) {
            const out = await session.run(feeds);
            const kept = {};
            for (const [name, t] of Object.entries(out)) {
                if (t.type === 'float32')
                    kept[name] = { data: t.data, dims: t.dims };
            }
            all.push(kept);
            onBatch?.(all.length);
        }
        return all;
    }
    finally {
        await session.release();
    }
}
/** Rows of an output (its first dim; 1 for a scalar) and values per row. */
function rowsOf(x) {
    const rows = x.dims.length ? x.dims[0] : 1;
    return { rows, per: rows ? x.data.length / rows : 0 };
}
/** Where outputs (of every batch) first hold NaN or an infinity: `output 'y' is NaN at sample 3, index 7`, or null. */
function nonFiniteOutput(outputs) {
    let before = 0;
    for (const batch of outputs) {
        const names = Object.keys(batch);
        for (const name of names) {
            const x = batch[name];
            const i = x.data.findIndex((v) => !Number.isFinite(v));
            if (i >= 0)
                return `output '${name}' is ${x.data[i]} at ${position(before, rowsOf(x).per, i)}`;
        }
        before += names.length ? rowsOf(batch[names[0]]).rows : 0;
    }
    return null;
}
function position(before, per, i) {
    return `sample ${before + Math.floor(i / per)}, index ${i % per}`;
}
function compareOutputs(ref, got) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    let maxAbs = 0;
    let rows = 0;
    let agree = 0;
    let classifier = true;
    let samples = 0;
    let nonFinite;
    for (let b = 0; b < ref.length; b++) {
        const names = Object.keys(ref[b]);
        const before = samples;
        samples += names.length ? ref[b][names[0]].dims[0] ?? 1 : 0;
        for (const name of names) {
            const x = ref[b][name];
            const y = got[b][name];
            if (!y || y.data.length !== x.data.length)
                throw new Error(`output '${name}' is missing or has another shape`);
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
                if (d > maxAbs || Number.isNaN(d))
                    maxAbs = Number.isNaN(d) ? Infinity : d;
            }
            const classes = x.dims[x.dims.length - 1];
            if (x.dims.length !== 2 || classes < 2) {
                classifier = false;
                continue;
            }
            for (let r = 0; r < x.data.length / classes; r++) {
                rows++;
                const top = argmax(x.data, r * classes, classes);
                if (top >= 0 && top === argmax(y.data, r * classes, classes))
                    agree++;
            }
        }
    }
    const cosine = na === 0 && nb === 0 ? 1 : dot / (Math.sqrt(na) * Math.sqrt(nb) || 1);
    const common = { top1Agreement: classifier && rows > 0 ? agree / rows : null, samples };
    // A NaN or an infinity makes the sums meaningless: the worst figures, and where it was.
    if (nonFinite)
        return { cosine: 0, maxAbsError: Infinity, ...common, nonFinite };
    return { cosine: Math.min(1, cosine), maxAbsError: maxAbs, ...common };
}
/** Index of the largest value of a row; -1 when the row holds a NaN (it has no top class, and agrees with none). */
function argmax(a, start, n) {
    let best = start;
    for (let i = start; i < start + n; i++) {
        if (Number.isNaN(a[i]))
            return -1;
        if (a[i] > a[best])
            best = i;
    }
    return best - start;
}
/** Why a fidelity is below the floor, or null when it passes. NaN or infinite outputs never pass. */
function belowFloor(f, floor) {
    if (f.nonFinite)
        return f.nonFinite;
    if (!(f.cosine >= floor.cosine) && !(f.maxAbsError <= floor.absTolerance))
        return `cosine ${f.cosine.toFixed(6)} < floor ${floor.cosine}`;
    if (f.top1Agreement !== null && f.top1Agreement < floor.top1Agreement) {
        return `top-1 agreement ${f.top1Agreement.toFixed(4)} < floor ${floor.top1Agreement}`;
    }
    return null;
}

;// CONCATENATED MODULE: ./build/src/tensors/index.js
// Tensors as every area feeds and reads them: input specs and shapes, data from .npy files,
// constants or a seeded generator, sample sets, ONNX Runtime itself, and the comparison of two
// models' outputs. A bottom layer: it imports only src/errors.ts (and onnxruntime-node).






;// CONCATENATED MODULE: ./build/src/bench/session.js
// What a measurement process does with ONNX Runtime: sessions, input metadata, feeds, and the
// messages for a model that will not load or rejects its inputs. Shared by the one-model
// measurement (worker.ts) and the paired one (paired-worker.ts).


function modelError(model, e) {
    const msg = oneLine(e);
    if (/protobuf parsing failed|invalid model|ModelProto|No graph|flatbuffer|Failed to load model/i.test(msg)) {
        return new errors_UserError(`${model}: not a valid ONNX or ORT model (${msg}); check that the file is a complete export`);
    }
    if (/opset|not implemented|NOT_IMPLEMENTED|Could not find an implementation/i.test(msg)) {
        return new errors_UserError(`${model}: this ONNX Runtime cannot run it (${msg}); use a newer onnxruntime-node or re-export with a supported opset`);
    }
    return new errors_UserError(`${model}: ONNX Runtime could not load it (${msg})`);
}
/**
 * `noSpinning`: idle intra-op threads sleep instead of spinning, so that in a paired measurement the
 * session that just ran does not take CPU from the one running now.
 */
async function createSession(ort, model, session, opts = {}) {
    const ep = session.executionProvider;
    const { profilePrefix } = opts;
    const available = ort.listSupportedBackends().map((b) => b.name);
    if (!available.includes(ep)) {
        throw new errors_UserError(`--ep ${ep}: unknown execution provider; this onnxruntime-node offers ${available.join(', ')}`);
    }
    const options = {
        executionProviders: [ep],
        graphOptimizationLevel: session.optLevel,
        logSeverityLevel: 3,
        ...(session.threads > 0 ? { intraOpNumThreads: session.threads } : {}),
        ...(opts.noSpinning ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {}),
        ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
    };
    try {
        return await ort.InferenceSession.create(model, options);
    }
    catch (e) {
        if (ep !== 'cpu' && /provider|cuda|tensorrt|webgpu|dawn|adapter|\.so|dll|dylib/i.test(oneLine(e))) {
            throw new errors_UserError(`--ep ${ep}: the execution provider could not start here (${oneLine(e)}); use --ep cpu or install its libraries`);
        }
        throw modelError(model, e);
    }
}
function inputMeta(ort, session) {
    // Input types and shapes are exposed from onnxruntime-node 1.21 on.
    const meta = session.inputMetadata;
    if (!meta) {
        throw new errors_UserError(`onnxruntime-node ${ort.env.versions.node ?? ''} does not report input shapes; use version 1.21 or newer`);
    }
    return meta;
}
/** Query mode: a multi-sample query is one batched run where every input has a free batch dim. */
function batchInputs(inputs, samples) {
    if (samples <= 1)
        return null;
    const random = inputs.filter((i) => i.source !== 'npy');
    if (random.length !== inputs.length || inputs.some((i) => i.batchAxis === null))
        return null;
    return inputs.map((i) => ({ ...i, shape: i.shape.map((d, axis) => (axis === i.batchAxis ? samples : d)) }));
}
function buildFeeds(ort, inputs, npy, seed) {
    const next = data_rng(seed);
    const feeds = {};
    for (const input of inputs) {
        const count = elementCount(input.shape);
        let data;
        if (input.source === 'npy')
            data = data_npyForInput(npy.get(input.name), input);
        else if (input.source === 'value')
            data = data_constantData(input.type, count, input.value);
        else
            data = data_randomData(input.type, count, next);
        feeds[input.name] = new ort.Tensor(input.type, data, input.shape);
    }
    return feeds;
}
function rejectedInputs(inputs, e) {
    const shapes = inputs.map((i) => `${i.name}=${i.shape.join('x') || 'scalar'}`).join(' ');
    // Random scalars are the usual culprit (a sample rate, a length): name them with the fix.
    const scalars = inputs.filter((i) => i.source === 'random' && i.shape.length === 0).map((i) => `--data ${i.name}=<value>`);
    const hint = scalars.length ? `; the scalar inputs got random values, give real ones with ${scalars.join(' ')}` : '';
    return new errors_UserError(`the model rejected its inputs (${shapes}): ${oneLine(e)}${hint}; fix the shapes with --input NAME=AxBxC or the values with --data NAME=file.npy|number`);
}

;// CONCATENATED MODULE: ./build/src/bench/paired-worker.js
// The paired measurement, inside one process: base and head sessions side by side, the same input
// tensors fed to both, timed in short batches whose order inside each pair is drawn at random, so
// that whatever else the machine does at that moment hits both arms alike. Streams the pairs to
// the parent, which decides when it has seen enough ('stop').



/** Queries timed of each arm to size the batches. */
const PROBE_QUERIES = 3;
/** The warm-up of both arms together ends after this long (or --warmup queries each). */
const WARMUP_MS = 500;
/** How often pairs are sent to the parent. */
const SEND_EVERY_MS = 200;
const describe = (inputs) => inputs.map((i) => `${i.name}:${i.type}[${i.shape.join('x')}]`).join(' ');
function percentileOf(xs, p) {
    const s = [...xs].sort((a, b) => a - b);
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * (s[Math.min(s.length - 1, lo + 1)] - s[lo]);
}
async function measurePaired(req, send) {
    let stop = false;
    let go = () => undefined;
    const gone = new Promise((resolve) => (go = resolve));
    if (!req.hold)
        go();
    process.on('message', (m) => {
        if (m?.type === 'stop')
            stop = true;
        if (m?.type === 'stop' || m?.type === 'go')
            go();
    });
    const ort = ort_loadOrt();
    const npy = new Map();
    for (const [name, src] of Object.entries(req.inputs.data ?? {}))
        if (src.kind === 'npy')
            npy.set(name, data_readNpy(src.path));
    const dataShapes = Object.fromEntries([...npy].map(([name, arr]) => [name, arr.shape]));
    const sessions = {};
    for (const arm of req.loadFirst === 'head' ? ['head', 'base'] : ['base', 'head']) {
        sessions[arm] = await createSession(ort, req[arm], req.session, { noSpinning: true });
    }
    const { samplesPerQuery } = req.run;
    const resolve = (s) => {
        const r = inputs_resolveInputs(inputMeta(ort, s), req.inputs, dataShapes);
        const batched = batchInputs(r, samplesPerQuery);
        return { inputs: batched ?? r, runsPerQuery: batched ? 1 : samplesPerQuery };
    };
    const { inputs, runsPerQuery } = resolve(sessions.base);
    const headInputs = resolve(sessions.head).inputs;
    if (describe(inputs) !== describe(headInputs)) {
        await send({ type: 'unpairable', reason: `base and head take different inputs (base ${describe(inputs)}, head ${describe(headInputs)}), so they cannot get the same tensors` });
        return;
    }
    // One set of tensors for both arms: identical inputs, by construction.
    const feeds = buildFeeds(ort, inputs, npy, req.run.seed);
    const query = async (arm) => {
        const start = external_node_perf_hooks_namespaceObject.performance.now();
        for (let r = 0; r < runsPerQuery; r++)
            await sessions[arm].run(feeds);
        return external_node_perf_hooks_namespaceObject.performance.now() - start;
    };
    for (const arm of ['base', 'head']) {
        try {
            await query(arm);
        }
        catch (e) {
            throw rejectedInputs(inputs, e);
        }
    }
    // Every block is a fresh process and needs its own warm-up, but a session is steady after its first
    // queries and the probe below runs PROBE_QUERIES more of each: the warm-up stops after --warmup
    // queries or WARMUP_MS of both arms, whichever comes first. (Ten ResNet-18 queries per arm took
    // 4-5 s of a 12 s block on a busy 2-core machine: fewer blocks, so fewer rounds for the test.)
    const warmStart = external_node_perf_hooks_namespaceObject.performance.now();
    for (let i = 0; i < req.run.warmup && external_node_perf_hooks_namespaceObject.performance.now() - warmStart < WARMUP_MS; i++)
        for (const arm of ['base', 'head'])
            await query(arm);
    // Batch length from a few timed queries of each: about batchMs, at least one query. A model slower
    // than that gets one query per batch: more pairs, each closer in time.
    const probe = { base: [], head: [] };
    for (let i = 0; i < PROBE_QUERIES; i++)
        for (const arm of ['base', 'head'])
            probe[arm].push(await query(arm));
    const queryMs = { base: percentileOf(probe.base, 0.5), head: percentileOf(probe.head, 0.5) };
    const perQuery = Math.max(1e-3, (queryMs.base + queryMs.head) / 2);
    const queriesPerBatch = Math.min(100_000, Math.max(1, Math.ceil(req.batchMs / perQuery)));
    await send({ type: 'ready', runtimeVersion: ort.env.versions.node ?? ort.env.versions.common, inputs, queriesPerBatch, queryMs });
    if (req.hold) {
        // Standby: the process before this one is timing its pairs. Once it is done, one untimed query
        // of each arm brings the sessions back into the caches the other process used.
        await gone;
        if (!stop)
            for (const arm of ['base', 'head'])
                await query(arm);
    }
    const coin = data_rng((req.run.seed ^ Date.now()) >>> 0);
    const batch = async (arm) => {
        const times = [];
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < queriesPerBatch; i++)
            times.push(await query(arm));
        const cpu = process.cpuUsage(cpu0);
        return { p50: percentileOf(times, 0.5), p90: percentileOf(times, 0.9), cpu: (cpu.user + cpu.system) / 1000 / times.length, iterations: times.length };
    };
    const started = external_node_perf_hooks_namespaceObject.performance.now();
    let pending = [];
    let lastSend = started;
    while (!stop && external_node_perf_hooks_namespaceObject.performance.now() - started < req.run.maxDurationMs) {
        const first = coin() < 0.5 ? 'base' : 'head';
        const second = first === 'base' ? 'head' : 'base';
        const a = await batch(first);
        const b = await batch(second);
        pending.push(first === 'base' ? { first, base: a, head: b } : { first, base: b, head: a });
        if (external_node_perf_hooks_namespaceObject.performance.now() - lastSend >= SEND_EVERY_MS) {
            await send({ type: 'pairs', pairs: pending });
            pending = [];
            lastSend = external_node_perf_hooks_namespaceObject.performance.now();
        }
    }
    if (pending.length && !stop)
        await send({ type: 'pairs', pairs: pending });
    await sessions.base.release();
    await sessions.head.release();
    await send({ type: 'done' });
}

;// CONCATENATED MODULE: ./build/src/bench/profile.js
const TOP_NODES = 10;
function summarizeProfile(trace, runs) {
    const events = (Array.isArray(trace) ? trace : []);
    const byOp = new Map();
    const byProvider = new Map();
    const byNode = new Map();
    let total = 0;
    for (const ev of events) {
        if (ev.cat !== 'Node' || !ev.name?.endsWith('_kernel_time') || typeof ev.dur !== 'number')
            continue;
        const node = ev.name.slice(0, -'_kernel_time'.length);
        const opType = ev.args?.op_name ?? 'unknown';
        const provider = ev.args?.provider ?? 'unknown';
        total += ev.dur;
        const op = byOp.get(opType) ?? { us: 0, nodes: new Set() };
        op.us += ev.dur;
        op.nodes.add(node);
        byOp.set(opType, op);
        byProvider.set(provider, (byProvider.get(provider) ?? 0) + ev.dur);
        const n = byNode.get(node) ?? { opType, provider, us: 0 };
        n.us += ev.dur;
        byNode.set(node, n);
    }
    const perRun = (us) => us / 1000 / Math.max(1, runs);
    const share = (us) => (total > 0 ? us / total : 0);
    return {
        runs,
        byOpType: [...byOp]
            .map(([opType, v]) => ({ opType, ms: perRun(v.us), share: share(v.us), nodes: v.nodes.size }))
            .sort((a, b) => b.ms - a.ms),
        byProvider: [...byProvider]
            .map(([provider, us]) => ({ provider, ms: perRun(us), share: share(us) }))
            .sort((a, b) => b.ms - a.ms),
        topNodes: [...byNode]
            .map(([node, v]) => ({ node, opType: v.opType, provider: v.provider, ms: perRun(v.us), share: share(v.us) }))
            .sort((a, b) => b.ms - a.ms)
            .slice(0, TOP_NODES),
    };
}

;// CONCATENATED MODULE: ./build/src/bench/worker.js
// One measurement in a fresh process: load the model, build inputs, warm up, time queries.
// The parent sends one WorkerRequest over IPC and gets progress, then a result or an error.








function send(msg) {
    return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()));
}
async function measure(req) {
    const ort = ort_loadOrt();
    const npy = new Map();
    for (const [name, src] of Object.entries(req.inputs.data ?? {})) {
        if (src.kind === 'npy')
            npy.set(name, data_readNpy(src.path));
    }
    let profileDir;
    if (req.profileDir)
        profileDir = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)(req.profileDir, 'ort-profile-'));
    const baselineRssBytes = process.memoryUsage().rss;
    const t0 = external_node_perf_hooks_namespaceObject.performance.now();
    const session = await createSession(ort, req.model, req.session, profileDir ? { profilePrefix: (0,external_node_path_namespaceObject.join)(profileDir, 'profile') } : {});
    const loadMs = external_node_perf_hooks_namespaceObject.performance.now() - t0;
    await send({ type: 'progress', phase: 'load', done: 1, elapsedMs: loadMs });
    const dataShapes = Object.fromEntries([...npy].map(([name, arr]) => [name, arr.shape]));
    const resolved = inputs_resolveInputs(inputMeta(ort, session), req.inputs, dataShapes);
    const { samplesPerQuery } = req.run;
    const batched = batchInputs(resolved, samplesPerQuery);
    const inputs = batched ?? resolved;
    const runsPerQuery = batched ? 1 : samplesPerQuery;
    const feeds = buildFeeds(ort, inputs, npy, req.run.seed);
    // One query: what a user of the model would time around session.run.
    const query = async () => {
        const start = external_node_perf_hooks_namespaceObject.performance.now();
        for (let r = 0; r < runsPerQuery; r++)
            await session.run(feeds);
        return external_node_perf_hooks_namespaceObject.performance.now() - start;
    };
    let firstRunMs;
    try {
        firstRunMs = await query();
    }
    catch (e) {
        throw rejectedInputs(inputs, e);
    }
    const warmStart = external_node_perf_hooks_namespaceObject.performance.now();
    for (let i = 0; i < req.run.warmup; i++) {
        await query();
        if (i % 10 === 9)
            await send({ type: 'progress', phase: 'warmup', done: i + 1, elapsedMs: external_node_perf_hooks_namespaceObject.performance.now() - warmStart });
    }
    const { minIterations, maxIterations, minDurationMs, maxDurationMs } = req.run;
    const samples = [];
    const cpu0 = process.cpuUsage();
    const start = external_node_perf_hooks_namespaceObject.performance.now();
    let lastReport = start;
    let elapsed = 0;
    for (;;) {
        samples.push(await query());
        elapsed = external_node_perf_hooks_namespaceObject.performance.now() - start;
        const n = samples.length;
        if ((n >= minIterations && elapsed >= minDurationMs) || elapsed >= maxDurationMs || (maxIterations > 0 && n >= maxIterations))
            break;
        if (elapsed - (lastReport - start) >= 250) {
            lastReport = external_node_perf_hooks_namespaceObject.performance.now();
            await send({ type: 'progress', phase: 'measure', done: n, elapsedMs: elapsed });
        }
    }
    const cpu = process.cpuUsage(cpu0);
    let profile;
    if (profileDir) {
        session.endProfiling();
        const file = (0,external_node_fs_namespaceObject.readdirSync)(profileDir).find((f) => f.endsWith('.json'));
        if (file)
            profile = summarizeProfile(JSON.parse((0,external_node_fs_namespaceObject.readFileSync)((0,external_node_path_namespaceObject.join)(profileDir, file), 'utf8')), (samples.length + 1 + req.run.warmup) * runsPerQuery);
        (0,external_node_fs_namespaceObject.rmSync)(profileDir, { recursive: true, force: true });
    }
    await session.release();
    return {
        runtimeVersion: ort.env.versions.node ?? ort.env.versions.common,
        inputs,
        queryMode: samplesPerQuery <= 1 ? 'single' : batched ? 'batched' : 'sequential',
        loadMs,
        firstRunMs,
        samples,
        ...(profileDir ? {} : { cpuMs: (cpu.user + cpu.system) / 1000 / samples.length }),
        durationMs: elapsed,
        baselineRssBytes,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        profile,
    };
}
process.once('message', (req) => {
    const job = 'kind' in req && req.kind === 'paired' ? measurePaired(req, send) : measure(req).then((result) => send({ type: 'result', result }));
    job
        .catch((e) => send({ type: 'error', user: isUserError(e), message: isUserError(e) ? e.message : (e instanceof Error ? e.stack ?? e.message : String(e)) }))
        .finally(() => process.disconnect?.());
});

