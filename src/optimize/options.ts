// `optimize` settings (OPTIMIZE_SETTINGS: the CLI flags, the action inputs) parsed once to
// OptimizeOptions. optimizeOptions takes typed values; optimizeOptionsFromFlags the flags' text.
import { parseCalibrationFlags, parseDataFlag, parseDimFlag, parseShapeFlag } from '../tensors/index.js';
import { UserError } from '../errors.js';
import { asFlag, parseSettings, settingDefaults, type RawValue, type SettingSource, type SettingValues } from '../settings/index.js';
import { FP16_BLOCK_OPS } from './fp16.js';
import { OPTIMIZE_SETTINGS } from './settings.js';
import { TARGETS, type Target, type TargetSettings } from './types.js';
import type { OptimizeOptions } from './types.js';

export type OptimizeValues = SettingValues<typeof OPTIMIZE_SETTINGS>;

const D = settingDefaults(OPTIMIZE_SETTINGS);

export const DEFAULT_SETTINGS: TargetSettings = {
  calibrationMethod: D.calibrationMethod,
  percentile: D.percentile,
  excludeOps: [],
  excludeNodes: [],
  fp16BlockOps: FP16_BLOCK_OPS,
  vendorPrecision: D.precision,
};

export function parseTargets(raw: string | string[], what = '--target'): Target[] {
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((r) => r.split(/[,\n]/)).map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new UserError(`${what}: give one or more of ${TARGETS.join(', ')}`);
  for (const t of list) {
    if (!(TARGETS as readonly string[]).includes(t)) throw new UserError(`${what} ${t}: unknown target; use one or more of ${TARGETS.join(', ')} (comma-separated)`);
  }
  return [...new Set(list)] as Target[];
}

/**
 * The flags' text as commander gives them (a setting left out takes its default from
 * OPTIMIZE_SETTINGS). `edgeml run` passes typed values to optimizeOptions instead.
 */
export interface OptimizeFlags extends Partial<Record<keyof OptimizeValues, RawValue>> {
  model?: string;
  target?: string;
  out?: string;
  calibration?: string[];
  input?: string[];
  dim?: string[];
  data?: string[];
  json?: string;
}

/**
 * Typed optimize settings to OptimizeOptions. `source` names a setting in messages (the flag, or
 * the action input). Checks what the table cannot: required settings, targets, the data flags.
 */
export function optimizeOptions(v: OptimizeValues, source: SettingSource = asFlag): OptimizeOptions {
  if (!v.model) throw new UserError(`${source('model')} is required: the .onnx model to optimize, e.g. edgeml optimize --model model.onnx --target fp16 --out artifacts`);
  if (!v.target.length) throw new UserError(`${source('target')} is required: one or more of ${TARGETS.join(', ')}`);
  if (!v.out) throw new UserError(`${source('out')} is required: the folder for the artifacts, e.g. --out artifacts`);
  return {
    model: v.model,
    targets: parseTargets(v.target, source('target')),
    out: v.out,
    calibration: parseCalibrationFlags(v.calibration),
    inputSpec: {
      shapes: Object.fromEntries(v.input.map(parseShapeFlag)),
      dims: Object.fromEntries(v.dim.map(parseDimFlag)),
      data: Object.fromEntries(v.data.map(parseDataFlag)),
    },
    floor: { cosine: v.minCosine, top1Agreement: v.minTop1Agreement, absTolerance: v.absTolerance },
    settings: {
      ...DEFAULT_SETTINGS,
      calibrationMethod: v.calibrationMethod,
      percentile: v.percentile,
      excludeOps: v.excludeOp,
      excludeNodes: v.excludeNode,
      fp16BlockOps: v.fp16BlockOp.length ? v.fp16BlockOp : DEFAULT_SETTINGS.fp16BlockOps,
      vendorPrecision: v.precision,
      ...(v.toolPath ? { toolPath: v.toolPath } : {}),
    },
    maxSamples: v.maxSamples,
    ...(v.calibrationCache ? { calibrationCache: v.calibrationCache } : {}),
  };
}

/** The flags' text to OptimizeOptions: parsed once, named by flag. */
export function optimizeOptionsFromFlags(f: OptimizeFlags, source: SettingSource = asFlag): OptimizeOptions {
  return optimizeOptions(parseSettings(OPTIMIZE_SETTINGS, f, source), source);
}
