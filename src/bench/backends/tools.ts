// Which vendor tool measures a runtime, where it is, and the flags ours map to (pure, tested as a table).
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import type { Precision } from '../../results/index.js';
import type { VendorTool } from './report.js';

export type VendorRuntime = 'tensorrt' | 'openvino' | 'tflite';
export const RUNTIMES = ['onnxruntime', 'tensorrt', 'openvino', 'tflite'] as const;
export type RuntimeChoice = (typeof RUNTIMES)[number];
export const PRECISIONS: Precision[] = ['fp32', 'fp16', 'int8'];

export const TOOLS: Record<VendorRuntime, { tool: VendorTool; install: string; knownPaths: string[] }> = {
  tensorrt: {
    tool: 'trtexec',
    install: 'it ships with TensorRT: on a Jetson install JetPack (sudo apt install nvidia-jetpack; it is /usr/src/tensorrt/bin/trtexec), elsewhere the TensorRT tar or deb packages',
    knownPaths: ['/usr/src/tensorrt/bin/trtexec', '/usr/local/tensorrt/bin/trtexec', '/opt/tensorrt/bin/trtexec'],
  },
  openvino: {
    tool: 'benchmark_app',
    install: "run 'pip install openvino' (it installs benchmark_app and ovc) in the Python environment on the PATH",
    knownPaths: [],
  },
  tflite: {
    tool: 'benchmark_model',
    install: 'download the prebuilt TFLite benchmark_model binary for your platform (linux_aarch64 for a Raspberry Pi 5) from the LiteRT/TensorFlow Lite performance measurement page, chmod +x it',
    knownPaths: [],
  },
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The tool on the PATH, at `toolPath`, or at its usual install path; else a UserError saying how to install it. */
export function locateTool(runtime: VendorRuntime, toolPath?: string, env: NodeJS.ProcessEnv = process.env): string {
  const { tool, install, knownPaths } = TOOLS[runtime];
  if (toolPath) {
    const abs = resolve(toolPath);
    if (!existsSync(abs)) throw new UserError(`--tool-path ${toolPath}: no such file; give the path of ${tool}, or ${install}`);
    if (!isExecutable(abs)) throw new UserError(`--tool-path ${toolPath}: not an executable file; give the path of ${tool} (chmod +x it)`);
    return abs;
  }
  const names = process.platform === 'win32' ? [`${tool}.exe`, `${tool}.cmd`, tool] : [tool];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const n of names) if (isExecutable(join(dir, n))) return join(dir, n);
  }
  for (const p of knownPaths) if (isExecutable(p)) return p;
  throw new UserError(`--runtime ${runtime} needs ${tool}, which is not on the PATH: ${install}; or give its path with --tool-path`);
}

export interface ToolRunSettings {
  model: string;
  shapes: Record<string, number[]>;
  warmup: number;
  minIterations: number;
  minDurationMs: number;
  maxDurationMs: number;
  threads: number;
  /** cpu, gpu, npu (OpenVINO device), xnnpack/gpu/nnapi (TFLite delegate), dla (TensorRT). */
  executionProvider: string;
  precision?: Precision;
  /** trtexec writes its per-query times here. */
  timesFile?: string;
}

const ENGINE = /\.(engine|plan|trt)$/i;
const secs = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** trtexec flags. Warm-up is by time in trtexec (default 200 ms): ours, a count, is not mapped. */
export function trtexecArgs(s: ToolRunSettings): string[] {
  const shapes = Object.entries(s.shapes).map(([n, d]) => `${n}:${d.join('x')}`).join(',');
  const args = [ENGINE.test(s.model) ? `--loadEngine=${s.model}` : `--onnx=${s.model}`];
  if (shapes) args.push(`--shapes=${shapes}`);
  args.push(`--iterations=${s.minIterations}`, `--duration=${secs(s.minDurationMs)}`);
  if (s.precision === 'fp16') args.push('--fp16');
  if (s.precision === 'int8') args.push('--int8');
  if (s.executionProvider === 'dla') args.push('--useDLACore=0', '--allowGPUFallback');
  if (s.timesFile) args.push(`--exportTimes=${s.timesFile}`);
  return args;
}

/** benchmark_app flags: synchronous, one request at a time (single-stream), at least N iterations and T seconds. */
export function benchmarkAppArgs(s: ToolRunSettings): string[] {
  const args = ['-m', s.model, '-d', s.executionProvider.toUpperCase(), '-api', 'sync', '-hint', 'latency', '-niter', String(s.minIterations), '-t', String(secs(s.minDurationMs))];
  const shapes = Object.entries(s.shapes).map(([n, d]) => `${n}[${d.join(',')}]`).join(',');
  if (shapes) args.push('-shape', shapes);
  if (s.threads > 0) args.push('-nthreads', String(s.threads));
  if (s.precision === 'fp16') args.push('-infer_precision', 'f16');
  if (s.precision === 'fp32') args.push('-infer_precision', 'f32');
  if (s.precision === 'int8') throw new UserError("--precision int8 with --runtime openvino: give an int8 model (quantize it with NNCF); benchmark_app cannot quantize");
  return args;
}

/** benchmark_model flags. */
export function benchmarkModelArgs(s: ToolRunSettings): string[] {
  const args = [
    `--graph=${s.model}`, `--warmup_runs=${s.warmup}`, `--num_runs=${s.minIterations}`,
    `--min_secs=${s.minDurationMs / 1000}`, `--max_secs=${s.maxDurationMs / 1000}`, `--num_threads=${s.threads > 0 ? s.threads : -1}`,
  ];
  const names = Object.keys(s.shapes);
  if (names.length) args.push(`--input_layer=${names.join(',')}`, `--input_layer_shape=${names.map((n) => s.shapes[n].join(',')).join(':')}`);
  const ep = s.executionProvider.toLowerCase();
  if (ep === 'xnnpack') args.push('--use_xnnpack=true');
  else if (ep === 'gpu') args.push('--use_gpu=true');
  else if (ep === 'nnapi') args.push('--use_nnapi=true');
  else if (ep !== 'cpu') throw new UserError(`--ep ${s.executionProvider} with --runtime tflite: expected cpu, xnnpack, gpu or nnapi`);
  if (s.precision === 'fp16') args.push('--allow_fp16=true');
  if (s.precision === 'int8') throw new UserError('--precision int8 with --runtime tflite: give an int8-quantized .tflite model; benchmark_model cannot quantize');
  return args;
}

export function toolArgs(runtime: VendorRuntime, s: ToolRunSettings): string[] {
  return runtime === 'tensorrt' ? trtexecArgs(s) : runtime === 'openvino' ? benchmarkAppArgs(s) : benchmarkModelArgs(s);
}
