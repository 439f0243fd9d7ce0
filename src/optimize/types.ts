// What every target pass receives and returns.
import { UserError } from '../errors.js';
import type { ModelProto } from '../model/index.js';
import type { FidelityFloor, FidelityRecord, InputSpec, SampleSet } from '../tensors/index.js';
import type { QuickSpeed } from './validate.js';

/** ORT targets run in process and are validated against fp32; vendor targets are built by the
 * vendor's tool on the device that runs them (TensorRT engines, OpenVINO IR). */
export const ORT_TARGETS = ['ort-optimized', 'ort-format', 'fp16', 'int8-dynamic', 'int8-static'] as const;
export const VENDOR_TARGETS = ['tensorrt', 'openvino'] as const;
export const TARGETS = [...ORT_TARGETS, ...VENDOR_TARGETS] as const;
export type Target = (typeof TARGETS)[number];
export type VendorTarget = (typeof VENDOR_TARGETS)[number];

export function isVendorTarget(t: Target): t is VendorTarget {
  return (VENDOR_TARGETS as readonly string[]).includes(t);
}

export const CALIBRATION_METHODS = ['minmax', 'percentile', 'entropy'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

export interface TargetSettings {
  /** int8-static: how activation ranges are chosen. */
  calibrationMethod: CalibrationMethod;
  /** int8-static percentile method: the percentile of |x| kept. */
  percentile: number;
  /** int8 targets: op types and node names left in float32. */
  excludeOps: string[];
  excludeNodes: string[];
  /** fp16: op types kept in float32 (with Casts around them). */
  fp16BlockOps: string[];
  /** tensorrt / openvino: the precision the vendor tool builds in. */
  vendorPrecision: 'fp32' | 'fp16' | 'int8';
  /** tensorrt / openvino: the tool (trtexec, ovc) when it is not on the PATH. */
  toolPath?: string;
}

export interface TargetInput {
  /** A fresh copy of the source model (passes may edit it). */
  model: ModelProto;
  sourcePath: string;
  /** Folder for the artifact (a temp dir renamed into --out when the artifact passes). */
  dir: string;
  stem: string;
  samples: SampleSet;
  settings: TargetSettings;
  /** int8-static: where calibration ranges are kept between runs, and the key they must match. */
  calibrationCache?: { file: string; key: string };
}

export interface TargetOutput {
  /** The artifact file, inside `dir`. */
  file: string;
  precision: 'fp32' | 'fp16' | 'int8' | 'mixed';
  format: 'onnx' | 'ort';
  /** The settings this target used (recorded in the manifest). */
  settings: Record<string, unknown>;
  /** Counts worth reporting: nodes quantized, converted, kept. */
  notes?: Record<string, number>;
}

/** The target cannot take this model: names the node (when one is at fault) and what to do. */
export class TargetError extends UserError {
  constructor(message: string, readonly node?: string) {
    super(message);
  }
}

export function nodeLabel(n: { name?: string; op_type: string }, index: number): string {
  return `'${n.name || `#${index}`}' (${n.op_type})`;
}

export const MANIFEST_SCHEMA = { name: 'edgeml-optimize-manifest', version: 1 } as const;

export interface OptimizeOptions {
  model: string;
  targets: Target[];
  out: string;
  /** Input name -> .npy file of calibration/evaluation samples. */
  calibration: Record<string, string>;
  /** Shapes for the seeded random inputs used when no calibration data is given. */
  inputSpec: InputSpec;
  floor: FidelityFloor;
  settings: TargetSettings;
  /** Calibration samples used at most. */
  maxSamples: number;
  /** A file keeping int8-static calibration ranges between runs (keyed by model, data and settings). */
  calibrationCache?: string;
  /** Milliseconds of interleaved source-vs-artifact timing per artifact (default 1500; 0: none). */
  quickSpeedMs?: number;
}

export interface ArtifactRecord {
  target: Target;
  status: 'ok' | 'failed';
  path?: string;
  sha256?: string;
  bytes?: number;
  /** bytes / the source's bytes. */
  sizeRatio?: number;
  /** A short timing against the source on the machine that made the artifact (ORT formats). */
  speed?: QuickSpeed;
  precision?: TargetOutput['precision'];
  format?: TargetOutput['format'] | 'tensorrt-engine' | 'openvino-ir';
  opset?: number;
  runtime: { name: string; version: string };
  settings: Record<string, unknown>;
  fidelity?: FidelityRecord;
  notes?: Record<string, number>;
  reason?: string;
  /** The node the target could not take, when one is at fault. */
  node?: string;
  /** Why it failed: the input (fixable: exit 2), or validation refused it (fidelity floor, not smaller: exit 1). */
  failure?: 'input' | 'fidelity' | 'size' | 'runtime';
  durationMs: number;
}

export interface OptimizeManifest {
  schema: typeof MANIFEST_SCHEMA;
  tool: { name: 'edgeml'; version: string };
  createdAt: string;
  source: { path: string; sha256: string; bytes: number; opset: number };
  validation: { inputs: SampleSet['source']; samples: number; floor: FidelityFloor };
  artifacts: ArtifactRecord[];
}
