// Targets ORT makes itself: graph optimizations saved as ONNX, and the .ort format.
import { join } from 'node:path';
import { loadOrt } from '../tensors/index.js';
import type { TargetInput, TargetOutput } from './types.js';

/**
 * `extended`, not `all`: `all` adds layout transforms tied to this CPU's instruction set, and the
 * artifact must run on other machines.
 */
const LEVEL = 'extended';

async function saveOptimized(source: string, out: string, ortFormat: boolean): Promise<void> {
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(source, {
    graphOptimizationLevel: LEVEL,
    optimizedModelFilePath: out,
    logSeverityLevel: 3,
    // Session config values must be strings in the Node binding.
    ...(ortFormat ? { extra: { session: { save_model_format: 'ORT' } } } : {}),
  });
  await session.release();
}

export async function ortOptimized(t: TargetInput): Promise<TargetOutput> {
  const file = join(t.dir, `${t.stem}.opt.onnx`);
  await saveOptimized(t.sourcePath, file, false);
  return { file, precision: 'fp32', format: 'onnx', settings: { graphOptimizationLevel: LEVEL } };
}

export async function ortFormat(t: TargetInput): Promise<TargetOutput> {
  const file = join(t.dir, `${t.stem}.ort`);
  await saveOptimized(t.sourcePath, file, true);
  return { file, precision: 'fp32', format: 'ort', settings: { graphOptimizationLevel: LEVEL, format: 'ORT' } };
}
