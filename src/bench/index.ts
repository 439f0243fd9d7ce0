// The benchmark: one fresh process measures the model, another (optional) profiles it; the
// samples become the results document.
import { tmpdir } from 'node:os';
import { inspectModelFile } from '../model/index.js';
import { RESULTS_SCHEMA, type BenchResults, type BenchSettings } from '../results/index.js';
import { earlyStopping, quantileCI, sortedCopy, summarize } from '../stats/index.js';
import { VERSION } from '../version.js';
import { describeDevice } from './device.js';
import type { Scenario, WorkerRequest } from './protocol.js';
import { runWorker, type ProgressEvent } from './runner.js';
import { runVendorBenchmark, type RuntimeChoice } from './backends/index.js';
import { UserError } from '../errors.js';
import type { BenchOptions } from './types.js';

export type { OptLevel, Scenario, ProfileSummary } from './protocol.js';
export { describeDevice, deviceLabel, type DeviceInfo } from './device.js';
export { BENCH_DEFAULTS, OPT_LEVELS, SCENARIOS, benchOptions, showDuration, type BenchOptionValues, type BenchValues, type MeasureValues } from './options.js';
export { BENCH_SETTINGS, DEVICE_LABEL_HELP, LENGTH_SETTINGS, MEASURE_SETTINGS, SEED_SETTING } from './settings.js';
export { MeasurementError, runWorker, type ProgressEvent } from './runner.js';
export type { PairedBatch, PairedRequest, RunSettings, SessionSettings, WorkerRequest, WorkerResult } from './protocol.js';
export { runPairedWorker, startPairedWorker, type PairedOutcome, type PairedProcess, type PairedReady } from './paired-runner.js';
export { RUNTIMES, PRECISIONS, locateTool, runTool, type RuntimeChoice } from './backends/index.js';
export type { BenchOptions } from './types.js';

export function defaultSamplesPerQuery(scenario: Scenario): number {
  return scenario === 'multi-stream' ? 8 : scenario === 'offline' ? 32 : 1;
}

export interface BenchHooks {
  onProgress?: (p: ProgressEvent & { step: 'measure' | 'profile' }) => void;
}

export async function runBenchmark(opts: BenchOptions, hooks: BenchHooks = {}): Promise<BenchResults> {
  if (opts.runtime && opts.runtime !== 'onnxruntime') return runWithTool(opts);
  const model = await inspectModelFile(opts.model);
  const settings: BenchSettings = {
    warmup: opts.warmup,
    minIterations: opts.minIterations,
    maxIterations: opts.maxIterations,
    minDurationMs: opts.minDurationMs,
    maxDurationMs: Math.max(opts.maxDurationMs, opts.minDurationMs),
    samplesPerQuery: opts.samplesPerQuery ?? defaultSamplesPerQuery(opts.scenario),
    seed: opts.seed,
  };
  const request: WorkerRequest = {
    model: model.path,
    inputs: opts.inputs,
    session: { threads: opts.threads, executionProvider: opts.executionProvider, optLevel: opts.optLevel },
    run: { scenario: opts.scenario, ...settings },
  };
  const device = describeDevice(opts.deviceLabel, opts.runnerLabels);
  const m = await runWorker(request, (p) => hooks.onProgress?.({ ...p, step: 'measure' }));

  let profile: BenchResults['profile'];
  if (opts.profile) {
    // Profiling slows every kernel: it runs in its own process so the timings above stay clean.
    const profiled = await runWorker(
      { ...request, profileDir: tmpdir(), run: { ...request.run, minIterations: Math.min(settings.minIterations, 50), minDurationMs: 0, maxIterations: 50 } },
      (p) => hooks.onProgress?.({ ...p, step: 'profile' }),
    );
    profile = profiled.profile;
  }

  const sorted = sortedCopy(m.samples);
  const latencyMs = summarize(sorted);
  const ci = (p: number) => {
    const c = quantileCI(sorted, p);
    return c ? ([c.lo, c.hi] as [number, number]) : null;
  };
  const es90 = earlyStopping(sorted, 0.9);
  const es99 = earlyStopping(sorted, 0.99);
  const throughputPerSec = m.durationMs > 0 ? (m.samples.length * settings.samplesPerQuery * 1000) / m.durationMs : 0;
  const headline: BenchResults['headline'] =
    opts.scenario === 'offline'
      ? { metric: 'throughput', value: throughputPerSec, unit: 'samples/s' }
      : opts.scenario === 'multi-stream'
        ? { metric: 'latency.p99', value: latencyMs.p99, unit: 'ms' }
        : { metric: 'latency.p90', value: latencyMs.p90, unit: 'ms' };

  return {
    schema: RESULTS_SCHEMA,
    kind: 'bench',
    createdAt: new Date().toISOString(),
    tool: { name: 'edgeml', version: VERSION },
    model,
    runtime: {
      name: 'onnxruntime-node',
      version: m.runtimeVersion,
      executionProvider: opts.executionProvider,
      threads: opts.threads,
      optLevel: opts.optLevel,
    },
    device,
    inputs: m.inputs.map((i) => ({
      name: i.name, type: i.type, shape: i.shape, source: i.source,
      ...(i.file ? { file: i.file } : {}), ...(i.value !== undefined ? { value: i.value } : {}),
    })),
    scenario: opts.scenario,
    queryMode: m.queryMode,
    settings,
    iterations: m.samples.length,
    durationMs: m.durationMs,
    loadMs: m.loadMs,
    firstRunMs: m.firstRunMs,
    latencyMs,
    latencyCi95Ms: { p50: ci(0.5), p90: ci(0.9) },
    headline,
    throughputPerSec,
    memory: {
      baselineRssBytes: m.baselineRssBytes,
      peakRssBytes: m.peakRssBytes,
      modelRssBytes: Math.max(0, m.peakRssBytes - m.baselineRssBytes),
    },
    percentileSufficient: { p90: es90.sufficient, p99: es99.sufficient },
    earlyStopping: { p90: es90, p99: es99 },
    ...(profile ? { profile } : {}),
    ...(opts.keepSamples ? { samplesMs: m.samples } : {}),
  };
}

/** A vendor runtime: its tool feeds its own random inputs, one query at a time. */
function runWithTool(opts: BenchOptions): Promise<BenchResults> {
  const runtime = opts.runtime as Exclude<RuntimeChoice, 'onnxruntime'>;
  const refuse = (what: string) => {
    throw new UserError(`${what} is for --runtime onnxruntime; ${runtime}'s tool feeds random inputs one query at a time (give shapes with --input)`);
  };
  if (opts.scenario !== 'single-stream') refuse(`--scenario ${opts.scenario}`);
  if (opts.inputs.data && Object.keys(opts.inputs.data).length) refuse('--data');
  if (opts.inputs.dims && Object.keys(opts.inputs.dims).length) refuse('--dim');
  if (opts.profile) refuse('--profile');
  return runVendorBenchmark(
    {
      model: opts.model,
      runtime,
      ...(opts.toolPath ? { toolPath: opts.toolPath } : {}),
      ...(opts.precision ? { precision: opts.precision } : {}),
      shapes: opts.inputs.shapes ?? {},
      threads: opts.threads,
      executionProvider: opts.executionProvider,
      warmup: opts.warmup,
      minIterations: opts.minIterations,
      maxIterations: opts.maxIterations,
      minDurationMs: opts.minDurationMs,
      maxDurationMs: opts.maxDurationMs,
      seed: opts.seed,
      keepSamples: opts.keepSamples,
    },
    describeDevice(opts.deviceLabel, opts.runnerLabels),
  );
}
