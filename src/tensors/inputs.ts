// Model inputs: the flags that fix shapes and data, resolved against the model's own metadata.
// Pure functions: the worker calls them with what ORT reports, tests call them with plain data.
import { UserError } from '../errors.js';
import type { InputMeta, DataSource, InputSpec, ResolvedInput } from './types.js';

export const SUPPORTED_TYPES = [
  'float32', 'float16', 'float64', 'int64', 'int32', 'int16', 'int8',
  'uint64', 'uint32', 'uint16', 'uint8', 'bool', 'string',
] as const;

const BATCH_NAMES = /^(batch|batch_?size|n|b|bs|num_?batch(es)?)$/i;
// Names exporters give dims nobody named (paddle2onnx, tf2onnx, ORT's own), or none at all.
const GENERATED_NAMES = /^(|\?|-1|p2o\.DynamicDimension\.\d+|unk__\d+|dynamic_?\d*|Unsqueeze\w*_dim_\d+)$/i;

/** Split `NAME=VALUE`, where NAME may itself contain '=' only if quoted by the caller: use the last '='. */
function splitPair(flag: string, raw: string): [string, string] {
  const at = raw.lastIndexOf('=');
  if (at <= 0 || at === raw.length - 1) {
    throw new UserError(`${flag} ${JSON.stringify(raw)}: expected NAME=VALUE, e.g. ${flag} x=1x3x224x224`);
  }
  return [raw.slice(0, at), raw.slice(at + 1)];
}

/** Parses `NAME=1x3x224x224` (also `1,3,224,224`; an empty shape `NAME=scalar` is a scalar). */
export function parseShapeFlag(raw: string): [string, number[]] {
  const [name, value] = splitPair('--input', raw);
  if (value === 'scalar') return [name, []];
  const parts = value.split(/[x,]/);
  const dims = parts.map((p) => Number(p));
  if (parts.some((p) => !/^\d+$/.test(p.trim())) || dims.some((d) => d < 1)) {
    throw new UserError(
      `--input ${raw}: the shape must be positive whole sizes joined by 'x', e.g. --input ${name}=1x3x224x224`,
    );
  }
  return [name, dims];
}

export function parseDimFlag(raw: string): [string, number] {
  const [name, value] = splitPair('--dim', raw);
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UserError(`--dim ${raw}: the size must be a positive whole number, e.g. --dim ${name}=1`);
  }
  return [name, Number(value)];
}

/** `NAME=file.npy` reads a NumPy file; `NAME=16000` fills the input with that number. */
export function parseDataFlag(raw: string): [string, DataSource] {
  const [name, value] = splitPair('--data', raw);
  if (/\.npy$/i.test(value)) return [name, { kind: 'npy', path: value }];
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UserError(`--data ${raw}: give a .npy file or a number, e.g. --data ${name}=inputs.npy or --data ${name}=16000`);
  }
  return [name, { kind: 'value', value: n }];
}

function isBatchDim(dim: number | string, axis: number): boolean {
  if (typeof dim === 'number') return false;
  return BATCH_NAMES.test(dim) || (axis === 0 && GENERATED_NAMES.test(dim));
}

function describeShape(shape: Array<number | string>): string {
  return `[${shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : d === '' || d === -1 ? '?' : String(d))).join(', ')}]`;
}

function checkNames(flag: string, names: string[], meta: InputMeta[]): void {
  const known = new Set(meta.map((m) => m.name));
  for (const name of names) {
    if (!known.has(name)) {
      throw new UserError(
        `${flag} ${name}=...: the model has no input named '${name}'; its inputs are ${meta.map((m) => `'${m.name}'`).join(', ')}`,
      );
    }
  }
}

/**
 * Fixes every input's shape from, in order: `--input` (whole shape), the shape of a `--data` file,
 * `--dim` (by symbolic name), and the batch default of 1. Anything left dynamic is a UserError
 * naming the input, the dim and the flag to use.
 */
export function resolveInputs(
  meta: InputMeta[],
  spec: InputSpec,
  dataShapes: Record<string, number[]> = {},
): ResolvedInput[] {
  const shapes = spec.shapes ?? {};
  const dims = spec.dims ?? {};
  const data = spec.data ?? {};
  checkNames('--input', Object.keys(shapes), meta);
  checkNames('--data', Object.keys(data), meta);
  const symbols = new Set(meta.flatMap((m) => m.shape.filter((d): d is string => typeof d === 'string' && d !== '')));
  for (const name of Object.keys(dims)) {
    if (!symbols.has(name)) {
      const list = [...symbols].map((s) => `'${s}'`).join(', ') || 'none';
      throw new UserError(`--dim ${name}=...: the model has no dim named '${name}'; its named dims are ${list}`);
    }
  }

  return meta.map((m) => {
    if (m.isTensor === false) {
      throw new UserError(`input '${m.name}' is not a tensor (sequence or map inputs are not supported yet)`);
    }
    if (!(SUPPORTED_TYPES as readonly string[]).includes(m.type)) {
      throw new UserError(`input '${m.name}' has type ${m.type}, which edgeml cannot feed yet`);
    }
    const src = data[m.name];
    const given = shapes[m.name] ?? (src?.kind === 'npy' ? dataShapes[m.name] : undefined);
    const base = { name: m.name, type: m.type };
    const source = src?.kind ?? 'random';
    const extra = src?.kind === 'npy' ? { file: src.path } : src?.kind === 'value' ? { value: src.value } : {};
    if (given) {
      if (given.length !== m.shape.length) {
        if (!shapes[m.name] && src?.kind === 'npy') {
          throw new UserError(
            `${src.path}: holds shape [${given.join(', ')}] but input '${m.name}' has ${m.shape.length} dims ${describeShape(m.shape)}; save an array of that rank`,
          );
        }
        throw new UserError(
          `--input ${m.name}=${given.join('x') || 'scalar'}: input '${m.name}' has ${m.shape.length} dims ${describeShape(m.shape)}, got ${given.length}`,
        );
      }
      m.shape.forEach((d, i) => {
        if (typeof d === 'number' && d > 0 && d !== given[i]) {
          throw new UserError(
            `input '${m.name}' dim ${i} is fixed at ${d} in the model ${describeShape(m.shape)}, got ${given[i]}: fix the shape given for '${m.name}'`,
          );
        }
      });
      return { ...base, shape: [...given], batchAxis: null, source, ...extra };
    }
    let batchAxis: number | null = null;
    const shape = m.shape.map((d, i) => {
      if (typeof d === 'number' && d > 0) return d;
      if (typeof d === 'string' && d !== '' && dims[d] !== undefined) return dims[d];
      if (isBatchDim(d, i)) {
        batchAxis ??= i;
        return 1;
      }
      const named = typeof d === 'string' && d !== '' && !GENERATED_NAMES.test(d);
      const example = m.shape.map((x, j) => (j === i ? '<size>' : typeof x === 'number' && x > 0 ? x : isBatchDim(x, j) ? 1 : '<size>')).join('x');
      throw new UserError(
        `input '${m.name}' ${describeShape(m.shape)}: dim ${i}${named ? ` ('${d}')` : ''} is dynamic; give its size with --input ${m.name}=${example}${named ? ` or --dim ${d}=<size>` : ''}`,
      );
    });
    return { ...base, shape, batchAxis, source, ...extra };
  });
}

/** Elements in a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
