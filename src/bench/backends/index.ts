// Benchmarks through a vendor's own tool (trtexec, benchmark_app, benchmark_model) and turns what
// it prints into the same results document as the in-process ONNX Runtime benchmark.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { sha256File, type ModelFile, type ModelFormat } from '../../model/index.js';
import { RESULTS_SCHEMA, type BenchResults, type Precision, type ReportedLatencySummary, type RuntimeName } from '../../results/index.js';
import { earlyStopping, quantileCI, sortedCopy, summarize } from '../../stats/index.js';
import { VERSION } from '../../version.js';
import type { DeviceInfo } from '../device.js';
import { parseBenchmarkApp } from './openvino.js';
import type { ToolReport } from './report.js';
import { runTool } from './spawn.js';
import { parseBenchmarkModel } from './tflite.js';
import { locateTool, toolArgs, TOOLS, type VendorRuntime } from './tools.js';
import { parseTrtexec, parseTrtexecTimes } from './trtexec.js';

export { parseTrtexec, parseTrtexecTimes } from './trtexec.js';
export { parseBenchmarkApp } from './openvino.js';
export { parseBenchmarkModel } from './tflite.js';
export { vmHwmBytes, runTool } from './spawn.js';
export { locateTool, toolArgs, trtexecArgs, benchmarkAppArgs, benchmarkModelArgs, RUNTIMES, PRECISIONS, TOOLS } from './tools.js';
export type { RuntimeChoice, VendorRuntime, ToolRunSettings } from './tools.js';
export type { ToolReport, VendorTool } from './report.js';

const RUNTIME_NAME: Record<VendorRuntime, RuntimeName> = { tensorrt: 'tensorrt', openvino: 'openvino', tflite: 'tflite' };
const FORMATS: Record<string, ModelFormat> = {
  '.onnx': 'onnx', '.engine': 'tensorrt-engine', '.plan': 'tensorrt-engine', '.trt': 'tensorrt-engine', '.xml': 'openvino-ir', '.tflite': 'tflite',
};
const ACCEPTS: Record<VendorRuntime, ModelFormat[]> = {
  tensorrt: ['onnx', 'tensorrt-engine'],
  openvino: ['onnx', 'openvino-ir', 'tflite'],
  tflite: ['tflite'],
};

/** Checks the model is a file the runtime's tool reads, and hashes it. */
export async function inspectToolModel(path: string, runtime: VendorRuntime): Promise<ModelFile> {
  const abs = resolve(path);
  let bytes: number;
  try {
    const st = statSync(abs);
    if (!st.isFile()) throw new UserError(`${path}: is not a file; give the path of the model`);
    bytes = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: no such model file; check the path given to --model`);
  }
  if (bytes === 0) throw new UserError(`${path}: the model file is empty; re-export it`);
  const format = FORMATS[extname(abs).toLowerCase()];
  if (!format || !ACCEPTS[runtime].includes(format)) {
    const exts = Object.entries(FORMATS).filter(([, f]) => ACCEPTS[runtime].includes(f)).map(([e]) => e).join(', ');
    throw new UserError(`${path}: --runtime ${runtime} (${TOOLS[runtime].tool}) takes ${exts} models`);
  }
  return { path: abs, name: basename(abs), sha256: await sha256File(abs), bytes, format };
}

export interface VendorBenchOptions {
  model: string;
  runtime: VendorRuntime;
  toolPath?: string;
  precision?: Precision;
  shapes: Record<string, number[]>;
  threads: number;
  executionProvider: string;
  warmup: number;
  minIterations: number;
  maxIterations: number;
  minDurationMs: number;
  maxDurationMs: number;
  seed: number;
  keepSamples: boolean;
}

function parse(runtime: VendorRuntime, output: string): ToolReport {
  return runtime === 'tensorrt' ? parseTrtexec(output) : runtime === 'openvino' ? parseBenchmarkApp(output) : parseBenchmarkModel(output);
}

/** Runs the runtime's tool once on the model and returns the results document. */
export async function runVendorBenchmark(opts: VendorBenchOptions, device: DeviceInfo): Promise<BenchResults> {
  const tool = locateTool(opts.runtime, opts.toolPath);
  const model = await inspectToolModel(opts.model, opts.runtime);
  const scratch = mkdtempSync(join(tmpdir(), 'edgeml-tool-'));
  try {
    const timesFile = opts.runtime === 'tensorrt' ? join(scratch, 'times.json') : undefined;
    const args = toolArgs(opts.runtime, { ...opts, model: model.path, ...(timesFile ? { timesFile } : {}) });
    // Building a TensorRT engine can take many minutes on a Jetson: a generous allowance on top.
    const run = await runTool(tool, args, opts.maxDurationMs * 2 + 30 * 60_000);
    const name = TOOLS[opts.runtime].tool;
    if (run.signal) throw new UserError(`${name} was killed by ${run.signal} (out of time or memory?)`);
    const report = parse(opts.runtime, run.output);
    if (run.status !== 0) throw new UserError(`${name} exited with status ${run.status} after printing its results; see its output`);
    let samples: number[] | null = null;
    if (timesFile) {
      try {
        samples = parseTrtexecTimes(readFileSync(timesFile, 'utf8'), timesFile);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return toolResults(report, samples, { model, tool, device, opts, peakRssBytes: run.peakRssBytes });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface Context {
  model: ModelFile;
  tool: string;
  device: DeviceInfo;
  opts: VendorBenchOptions;
  /** The tool process's peak resident memory, polled; null off Linux. */
  peakRssBytes: number | null;
}

/**
 * The results document from a tool's report. With per-query times (trtexec --exportTimes) the
 * statistics are ours, as for ONNX Runtime; without them they are the tool's, and what it does
 * not print stays null.
 */
export function toolResults(report: ToolReport, samples: number[] | null, ctx: Context): BenchResults {
  const { opts } = ctx;
  const sorted = samples ? sortedCopy(samples) : null;
  const latencyMs: ReportedLatencySummary = sorted ? summarize(sorted) : report.latencyMs;
  const iterations = sorted ? sorted.length : report.iterations;
  const ci = (p: number): [number, number] | null => {
    const c = sorted ? quantileCI(sorted, p) : null;
    return c ? [c.lo, c.hi] : null;
  };
  // Without the samples the rule can still say whether there were enough queries; not its estimate.
  const es = (p: number) => {
    const full = earlyStopping(sorted ?? [], p);
    return sorted ? full : { ...full, sufficient: iterations >= full.minQueries, estimate: null };
  };
  const es90 = es(0.9);
  const es99 = es(0.99);
  const headline: BenchResults['headline'] =
    latencyMs.p90 !== null ? { metric: 'latency.p90', value: latencyMs.p90, unit: 'ms' }
      : latencyMs.p50 !== null ? { metric: 'latency.p50', value: latencyMs.p50, unit: 'ms' }
        : { metric: 'latency.mean', value: latencyMs.mean ?? 0, unit: 'ms' };
  return {
    schema: RESULTS_SCHEMA,
    kind: 'bench',
    createdAt: new Date().toISOString(),
    tool: { name: 'edgeml', version: VERSION },
    model: ctx.model,
    runtime: {
      name: RUNTIME_NAME[opts.runtime],
      version: report.runtimeVersion ?? 'unknown',
      executionProvider: (report.device ?? opts.executionProvider).slice(0, 64),
      threads: opts.threads,
      ...(opts.precision ? { precision: opts.precision } : {}),
      tool: { name: report.tool, version: report.toolVersion, path: ctx.tool },
    },
    device: ctx.device,
    inputs: Object.entries(opts.shapes).map(([name, shape]) => ({ name, type: 'unknown', shape, source: 'random' as const })),
    scenario: 'single-stream',
    queryMode: 'single',
    settings: {
      warmup: opts.warmup,
      minIterations: opts.minIterations,
      maxIterations: opts.maxIterations,
      minDurationMs: opts.minDurationMs,
      maxDurationMs: Math.max(opts.maxDurationMs, opts.minDurationMs),
      samplesPerQuery: 1,
      seed: opts.seed,
    },
    iterations,
    durationMs: report.durationMs,
    loadMs: report.loadMs,
    firstRunMs: report.firstRunMs,
    latencyMs,
    latencyCi95Ms: { p50: ci(0.5), p90: ci(0.9) },
    headline,
    throughputPerSec: report.throughputPerSec,
    memory: { baselineRssBytes: null, peakRssBytes: ctx.peakRssBytes, modelRssBytes: report.modelMemoryBytes },
    percentileSufficient: { p90: es90.sufficient, p99: es99.sufficient },
    earlyStopping: { p90: es90, p99: es99 },
    ...(opts.keepSamples && samples ? { samplesMs: samples } : {}),
  };
}
