// The `tensorrt` optimize target: a serialized engine built on the device by trtexec. Engines are
// specific to the GPU and TensorRT version that built them, so they are built where they run.
// The timing cache (autotuning results) is reused between builds: keep it in the Actions cache.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { locateTool, runTool } from '../bench/index.js';
import type { Precision } from '../results/index.js';

export interface BuildArtifactOptions {
  model: string;
  outDir: string;
  precision: Precision;
  toolPath?: string;
  /** Timing cache file to read and update (default: <outDir>/<model>.timing-cache). */
  timingCache?: string;
  /** Input shapes for a model with dynamic dims, as for bench --input. */
  shapes?: Record<string, number[]>;
  /**
   * Where to keep trtexec's whole output, built or not: its ONNX parser names the node it stops
   * at, which `edgeml run` checks against the static verdict of `edgeml inspect`.
   */
  logFile?: string;
}

export interface Artifact {
  path: string;
  bytes: number;
  sha256: string;
  precision: Precision;
  runtime: { name: 'tensorrt' | 'openvino'; version: string };
  settings: Record<string, string | boolean | number>;
}

export function sha256Files(paths: string[]): string {
  const h = createHash('sha256');
  for (const p of paths) h.update(readFileSync(p));
  return h.digest('hex');
}

/** trtexec's flags for building an engine from ONNX (pure, for tests). */
export function trtexecBuildArgs(model: string, engine: string, precision: Precision, timingCache: string, shapes: Record<string, number[]> = {}): string[] {
  const args = [`--onnx=${model}`, `--saveEngine=${engine}`, `--timingCacheFile=${timingCache}`, '--skipInference'];
  const s = Object.entries(shapes).map(([n, d]) => `${n}:${d.join('x')}`).join(',');
  if (s) args.push(`--minShapes=${s}`, `--optShapes=${s}`, `--maxShapes=${s}`);
  if (precision === 'fp16') args.push('--fp16');
  // int8 without a calibration cache uses TensorRT's placeholder scales unless the ONNX model is
  // already quantized (QuantizeLinear/DequantizeLinear): give a Q/DQ model for real accuracy.
  if (precision === 'int8') args.push('--int8', '--fp16');
  return args;
}

export async function buildArtifact(opts: BuildArtifactOptions): Promise<Artifact> {
  const tool = locateTool('tensorrt', opts.toolPath);
  const model = resolve(opts.model);
  if (!existsSync(model)) throw new UserError(`${opts.model}: no such model file; give the .onnx model to build a TensorRT engine from`);
  mkdirSync(opts.outDir, { recursive: true });
  const stem = basename(model).replace(/\.onnx$/i, '');
  const engine = resolve(opts.outDir, `${stem}.${opts.precision}.engine`);
  const timingCache = resolve(opts.timingCache ?? join(opts.outDir, `${stem}.timing-cache`));
  const cacheReused = existsSync(timingCache);
  const run = await runTool(tool, trtexecBuildArgs(model, engine, opts.precision, timingCache, opts.shapes), 60 * 60_000);
  if (opts.logFile) writeFileSync(opts.logFile, run.output);
  const tail = run.output.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
  if (run.status !== 0 || /^&&&& FAILED/m.test(run.output)) {
    const kept = opts.logFile ? `; its whole output is in ${basename(opts.logFile)}` : '';
    throw new UserError(`trtexec could not build a TensorRT engine from ${opts.model} (status ${run.status ?? run.signal}): ${tail}${kept}`);
  }
  if (!existsSync(engine)) throw new UserError(`trtexec finished but wrote no engine at ${engine}: ${tail}`);
  const version = run.output.match(/TensorRT version: ([\w.]+)/)?.[1] ?? 'unknown';
  const built = run.output.match(/Engine built in ([\d.eE+-]+) sec/)?.[1];
  return {
    path: engine,
    bytes: statSync(engine).size,
    sha256: sha256Files([engine]),
    precision: opts.precision,
    runtime: { name: 'tensorrt', version },
    settings: {
      tool,
      timingCache,
      timingCacheReused: cacheReused,
      ...(built ? { buildMs: Number(built) * 1000 } : {}),
      device: run.output.match(/Selected Device: (.+)$/m)?.[1].trim() ?? 'unknown',
    },
  };
}
