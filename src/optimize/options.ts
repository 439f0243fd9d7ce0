// `optimize` flags (CLI) and inputs (action), spelled alike, to OptimizeOptions.
import { DEFAULT_FLOOR, parseCalibrationFlags, parseDataFlag, parseDimFlag, parseShapeFlag } from '../tensors/index.js';
import { UserError } from '../errors.js';
import { FP16_BLOCK_OPS } from './fp16.js';
import { TARGETS, type CalibrationMethod, type TargetSettings } from './types.js';
import type { OptimizeOptions } from './types.js';

export const DEFAULT_SETTINGS: TargetSettings = {
  calibrationMethod: 'minmax',
  percentile: 99.999,
  excludeOps: [],
  excludeNodes: [],
  fp16BlockOps: FP16_BLOCK_OPS,
  vendorPrecision: 'fp16',
};

export function parseTargets(raw: string): OptimizeOptions['targets'] {
  const list = raw.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new UserError(`--target: give one or more of ${TARGETS.join(', ')}`);
  for (const t of list) {
    if (!(TARGETS as readonly string[]).includes(t)) throw new UserError(`--target ${t}: unknown target; use one or more of ${TARGETS.join(', ')} (comma-separated)`);
  }
  return [...new Set(list)] as OptimizeOptions['targets'];
}

export interface OptimizeFlags {
  model?: string;
  target?: string;
  out?: string;
  calibration: string[];
  calibrationMethod: CalibrationMethod | string;
  percentile: string;
  maxSamples: string;
  excludeOp: string[];
  excludeNode: string[];
  fp16BlockOp: string[];
  minCosine: string;
  minTop1Agreement: string;
  absTolerance: string;
  input: string[];
  dim: string[];
  /** `NAME=file.npy|number`: inputs fed one value for every sample (not calibrated). */
  data?: string[];
  json?: string;
  calibrationCache?: string;
  precision?: string;
  toolPath?: string;
}

function vendorPrecision(raw: string | undefined): TargetSettings['vendorPrecision'] {
  if (raw === undefined || raw === '') return DEFAULT_SETTINGS.vendorPrecision;
  if (raw !== 'fp32' && raw !== 'fp16' && raw !== 'int8') throw new UserError(`--precision ${raw}: give fp32, fp16 or int8 (the precision of the tensorrt and openvino targets)`);
  return raw;
}

function fraction(flag: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new UserError(`${flag} ${raw}: give a number between 0 and 1, e.g. ${flag} 0.99`);
  return v;
}

function nonNegative(flag: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new UserError(`${flag} ${raw}: give a number >= 0, e.g. ${flag} 0.0001`);
  return v;
}

function positive(flag: string, raw: string, max = Infinity): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || v > max) throw new UserError(`${flag} ${raw}: give a positive number${max < Infinity ? ` up to ${max}` : ''}`);
  return v;
}

export function optimizeOptionsFromFlags(f: OptimizeFlags): OptimizeOptions {
  if (!f.model) throw new UserError('--model: give the .onnx file to optimize, e.g. edgeml optimize --model model.onnx --target fp16 --out artifacts');
  if (!f.target) throw new UserError(`--target: give one or more of ${TARGETS.join(', ')}`);
  if (!f.out) throw new UserError('--out: give the folder for the artifacts, e.g. --out artifacts');
  return {
    model: f.model,
    targets: parseTargets(f.target),
    out: f.out,
    calibration: parseCalibrationFlags(f.calibration),
    inputSpec: {
      shapes: Object.fromEntries(f.input.map(parseShapeFlag)),
      dims: Object.fromEntries(f.dim.map(parseDimFlag)),
      data: Object.fromEntries((f.data ?? []).map(parseDataFlag)),
    },
    floor: { cosine: fraction('--min-cosine', f.minCosine), top1Agreement: fraction('--min-top1-agreement', f.minTop1Agreement), absTolerance: nonNegative('--abs-tolerance', f.absTolerance) },
    settings: {
      ...DEFAULT_SETTINGS,
      calibrationMethod: calibrationMethod(f.calibrationMethod),
      percentile: positive('--percentile', f.percentile, 100),
      excludeOps: f.excludeOp,
      excludeNodes: f.excludeNode,
      fp16BlockOps: f.fp16BlockOp.length ? f.fp16BlockOp : DEFAULT_SETTINGS.fp16BlockOps,
      vendorPrecision: vendorPrecision(f.precision),
      ...(f.toolPath ? { toolPath: f.toolPath } : {}),
    },
    maxSamples: positive('--max-samples', f.maxSamples),
    ...(f.calibrationCache ? { calibrationCache: f.calibrationCache } : {}),
  };
}


function calibrationMethod(raw: string): CalibrationMethod {
  if (raw !== 'minmax' && raw !== 'percentile' && raw !== 'entropy') throw new UserError(`--calibration-method ${raw}: use minmax, percentile or entropy`);
  return raw;
}
