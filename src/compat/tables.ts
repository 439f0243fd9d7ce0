// The vendors' operator tables vendored under data/compat/ (refreshed by scripts/compat-tables.mjs).
import { UserError } from '../errors.js';
import nnapi from '../../data/compat/nnapi.json' with { type: 'json' };
import coreml from '../../data/compat/coreml.json' with { type: 'json' };
import coremlMlprogram from '../../data/compat/coreml-mlprogram.json' with { type: 'json' };
import ortMobile from '../../data/compat/ort-mobile.json' with { type: 'json' };
import tensorrt from '../../data/compat/tensorrt.json' with { type: 'json' };
import openvino from '../../data/compat/openvino.json' with { type: 'json' };
import tflite from '../../data/compat/tflite.json' with { type: 'json' };
import type { SupportTable, TableOp } from './types.js';

const TABLES: Record<string, SupportTable> = Object.fromEntries(
  [nnapi, coreml, coremlMlprogram, ortMobile, tensorrt, openvino, tflite].map((t) => [t.target, t as unknown as SupportTable]),
);

export const TARGETS = Object.keys(TABLES);

export function supportTable(target: string): SupportTable {
  const t = TABLES[target];
  if (!t) throw new UserError(`--target ${target}: no support table for '${target}'; known targets are ${TARGETS.join(', ')}`);
  return t;
}

/** Parses `--target nnapi,coreml` (repeatable); an empty list or an unknown name is a UserError. */
export function parseTargets(raw: string[]): string[] {
  const names = raw.flatMap((r) => r.split(',')).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError(`--target: name at least one target runtime, e.g. --target nnapi,tensorrt (known: ${TARGETS.join(', ')})`);
  for (const n of names) supportTable(n);
  return [...new Set(names)];
}

const key = (domain: string, op: string) => `${domain === 'ai.onnx' ? '' : domain}:${op}`;

export function tableIndex(rows: TableOp[]): Map<string, TableOp> {
  return new Map(rows.map((r) => [key(r.domain, r.op), r]));
}

export function lookupKey(domain: string | undefined, op: string): string {
  return key(domain ?? '', op);
}

/** ONNX's own versions of each default-domain op (from the OpenVINO list's "defined version" column). */
export function onnxVersions(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of [...TABLES.openvino.ops, ...TABLES.openvino.unsupported]) {
    if (!r.domain && r.defined?.length) out.set(r.op, r.defined);
  }
  return out;
}
