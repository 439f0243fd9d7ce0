// The `openvino` optimize target: OpenVINO IR (model.xml + model.bin) converted by ovc, which
// `pip install openvino` installs. fp16 compresses the weights (ovc's default); fp32 keeps them.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { runTool } from '../bench/index.js';
import type { Precision } from '../results/index.js';
import { sha256Files, type Artifact, type BuildArtifactOptions } from './tensorrt.js';

function locateOvc(toolPath?: string): string {
  if (toolPath) {
    try {
      accessSync(resolve(toolPath), constants.X_OK);
      return resolve(toolPath);
    } catch {
      throw new UserError(`--tool-path ${toolPath}: no executable ovc there; install it with 'pip install openvino'`);
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, 'ovc');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  throw new UserError("the openvino target needs ovc, which is not on the PATH: run 'pip install openvino' (it installs ovc and benchmark_app), or give its path with --tool-path");
}

export function ovcArgs(model: string, xml: string, precision: Precision): string[] {
  if (precision === 'int8') throw new UserError("precision int8 for the openvino target: quantize with NNCF first (ovc converts, it does not quantize); use fp16 or fp32");
  return [model, `--output_model=${xml}`, `--compress_to_fp16=${precision === 'fp16' ? 'True' : 'False'}`];
}

export async function buildArtifact(opts: BuildArtifactOptions): Promise<Artifact> {
  const tool = locateOvc(opts.toolPath);
  const model = resolve(opts.model);
  if (!existsSync(model)) throw new UserError(`${opts.model}: no such model file; give the model to convert to OpenVINO IR`);
  mkdirSync(opts.outDir, { recursive: true });
  const xml = resolve(opts.outDir, `${basename(model).replace(/\.[^.]+$/, '')}.${opts.precision}.xml`);
  const bin = xml.replace(/\.xml$/, '.bin');
  const run = await runTool(tool, ovcArgs(model, xml, opts.precision), 30 * 60_000);
  const tail = run.output.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
  if (run.status !== 0) throw new UserError(`ovc could not convert ${opts.model} (status ${run.status ?? run.signal}): ${tail}`);
  if (!existsSync(xml) || !existsSync(bin)) throw new UserError(`ovc finished but wrote no ${basename(xml)} and ${basename(bin)}: ${tail}`);
  const ver = await runTool(tool, ['--version'], 60_000);
  const version = ver.output.match(/(\d{4}\.\d+\.\d+\S*)/)?.[1] ?? 'unknown';
  return {
    path: xml,
    bytes: statSync(xml).size + statSync(bin).size,
    sha256: sha256Files([xml, bin]),
    precision: opts.precision,
    runtime: { name: 'openvino', version },
    settings: { tool, weights: bin, compressToFp16: opts.precision === 'fp16' },
  };
}
