// The comparison loop: base and head measured in alternating rounds (a fresh process for every
// measurement, the order flipped each round: A B, B A, A B, ...), looked at on a schedule, until the
// verdict is decided or the time is spent. Never base in one block and head in another: a machine
// that slows down halfway would then read as a regression.
import { basename } from 'node:path';
import { defaultSamplesPerQuery, describeDevice, runWorker, type BenchOptions, type WorkerRequest, type WorkerResult } from '../bench/index.js';
import { UserError } from '../errors.js';
import { inspectModelFile, type ModelFile } from '../model/index.js';
import type { BenchResults, BenchSettings } from '../results/types.js';
import { isLook, percentile, sortedCopy } from '../stats/index.js';
import { VERSION } from '../version.js';
import { COMPARE_SCHEMA, type ArmMeasurement, type CompareMetric, type CompareResults, type ExactComparison, type Round } from './types.js';
import { METHOD, STORED_METHOD, ratioAt } from './verdict.js';

export interface CompareOptions {
  /** Measurement settings of every run; `model` is ignored (base and head below). */
  bench: Omit<BenchOptions, 'model' | 'profile' | 'keepSamples'>;
  base?: string;
  head: string;
  /** A stored results document to compare against, instead of measuring a base model. */
  baseResults?: { file: string; doc: BenchResults };
  allowDifferentDevice: boolean;
  threshold: number;
  metric: CompareMetric;
  /** Time for the whole comparison. */
  maxDurationMs: number;
  /** Rounds before the first look. */
  minRounds: number;
  /** Stop after this many rounds; 0 = only the time limit. */
  maxRounds: number;
}

export const COMPARE_DEFAULTS = {
  threshold: 0.05,
  metric: 'p50' as CompareMetric,
  maxDurationMs: 60_000,
  minRounds: 8,
  maxRounds: 0,
  /** Each measurement: short, since the rounds, not the runs, carry the statistics. */
  minDurationMs: 1000,
  minIterations: 50,
};

export interface CompareHooks {
  onLook?: (doc: Pick<CompareResults, 'rounds' | 'looks' | 'ratio' | 'verdict' | 'metric'>) => void;
}

function measurement(m: WorkerResult): ArmMeasurement {
  const sorted = sortedCopy(m.samples);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), iterations: sorted.length };
}

function shapes(m: WorkerResult | BenchResults): string {
  return m.inputs.map((i) => `${i.name}=${i.shape.join('x') || 'scalar'}`).join(' ');
}

function exactComparisons(base: ModelFile, head: ModelFile, baseInputs: string, headInputs: string): ExactComparison[] {
  return [
    { quantity: 'sha256', base: base.sha256, head: head.sha256, same: base.sha256 === head.sha256 },
    { quantity: 'bytes', base: base.bytes, head: head.bytes, same: base.bytes === head.bytes },
    { quantity: 'format', base: base.format, head: head.format, same: base.format === head.format },
    { quantity: 'inputs', base: baseInputs, head: headInputs, same: baseInputs === headInputs },
  ];
}

/** A stored base must come from this device kind, runtime and settings, or the ratio means nothing. */
function checkStoredBase(opts: CompareOptions, doc: BenchResults, file: string, settings: BenchSettings): CompareResults['differentDevice'] {
  const b = opts.bench;
  const mismatch: Array<[string, string | number, string | number]> = [
    ['--runtime', 'onnxruntime-node', doc.runtime.name],
    ['--scenario', b.scenario, doc.scenario],
    ['--threads', b.threads, doc.runtime.threads],
    ['--ep', b.executionProvider, doc.runtime.executionProvider],
    ['--opt-level', b.optLevel, doc.runtime.optLevel ?? 'none'],
    ['--samples-per-query', settings.samplesPerQuery, doc.settings.samplesPerQuery],
  ];
  for (const [flag, here, there] of mismatch) {
    if (here !== there) throw new UserError(`${file}: measured with ${flag} ${there}, this run uses ${here}; give ${flag} ${there} so the two are comparable`);
  }
  const here = describeDevice(b.deviceLabel);
  if (here.fingerprint === doc.device.fingerprint) return undefined;
  const describe = (d: BenchResults['device']) => `${d.label} (${d.cpuModel}, ${d.cores} cores, fingerprint ${d.fingerprint})`;
  if (!opts.allowDifferentDevice) {
    throw new UserError(
      `${file}: measured on a different device, ${describe(doc.device)}, not this ${describe(here)}; measure both here (edgeml compare --base A.onnx --head B.onnx) or pass --allow-different-device`,
    );
  }
  return { base: describe(doc.device), head: describe(here) };
}

export async function runCompare(opts: CompareOptions, hooks: CompareHooks = {}): Promise<CompareResults> {
  const started = Date.now();
  const stored = opts.baseResults;
  if (!stored && !opts.base) throw new UserError('no base given: edgeml compare --base A.onnx --head B.onnx (or --base-results results.json)');
  const head = await inspectModelFile(opts.head);
  const base = stored ? stored.doc.model : await inspectModelFile(opts.base as string);
  const b = opts.bench;
  const settings: BenchSettings = {
    warmup: b.warmup,
    minIterations: b.minIterations,
    maxIterations: b.maxIterations,
    minDurationMs: b.minDurationMs,
    maxDurationMs: Math.max(b.maxDurationMs, b.minDurationMs),
    samplesPerQuery: b.samplesPerQuery ?? defaultSamplesPerQuery(b.scenario),
    seed: b.seed,
  };
  let differentDevice = stored ? checkStoredBase(opts, stored.doc, stored.file, settings) : undefined;
  const request = (model: string): WorkerRequest => ({
    model,
    inputs: b.inputs,
    session: { threads: b.threads, executionProvider: b.executionProvider, optLevel: b.optLevel },
    run: { scenario: b.scenario, ...settings },
  });

  const rounds: Round[] = [];
  let looks = 0;
  let runtimeVersion = '';
  let inputs = { base: stored ? shapes(stored.doc) : '', head: '' };
  let lastRoundMs = 0;
  let stopped: CompareResults['stopped'] = 'max-duration';
  const storedP = (metric: CompareMetric) => (stored ? (stored.doc.latencyMs[metric] ?? undefined) : undefined);
  const ratios = (look: number) => ({
    p50: ratioAt(rounds, 'p50', look, opts.threshold, storedP('p50')),
    p90: ratioAt(rounds, 'p90', look, opts.threshold, storedP('p90')),
  });
  let ratio = ratios(1);

  for (;;) {
    const elapsed = Date.now() - started;
    if (opts.maxRounds > 0 && rounds.length >= opts.maxRounds) {
      stopped = 'max-rounds';
      break;
    }
    if (rounds.length > 0 && elapsed + lastRoundMs > opts.maxDurationMs) break;
    const roundStart = Date.now();
    const first: Round['first'] = rounds.length % 2 === 0 ? 'base' : 'head';
    let baseRun: ArmMeasurement | null = null;
    let headRun: ArmMeasurement | undefined;
    for (const arm of stored ? (['head'] as const) : first === 'base' ? (['base', 'head'] as const) : (['head', 'base'] as const)) {
      const m = await runWorker(request(arm === 'base' ? base.path : head.path));
      runtimeVersion ||= m.runtimeVersion;
      inputs = { ...inputs, [arm]: shapes(m) };
      if (arm === 'base') baseRun = measurement(m);
      else headRun = measurement(m);
    }
    if (stored && rounds.length === 0 && runtimeVersion !== stored.doc.runtime.version) {
      const note = `onnxruntime-node ${stored.doc.runtime.version} there, ${runtimeVersion} here`;
      if (!opts.allowDifferentDevice) {
        throw new UserError(`${stored.file}: measured with ${note}; measure both with one runtime or pass --allow-different-device`);
      }
      differentDevice = { base: `${differentDevice?.base ?? 'same device'}; ${note}`, head: differentDevice?.head ?? 'same device' };
    }
    rounds.push({ first: stored ? 'head' : first, base: baseRun, head: headRun as ArmMeasurement });
    lastRoundMs = Date.now() - roundStart;
    const look = isLook(rounds.length, opts.minRounds);
    if (look) {
      looks = look;
      ratio = ratios(look);
      hooks.onLook?.({ rounds: rounds.length, looks, ratio, verdict: ratio[opts.metric].verdict, metric: opts.metric });
      if (ratio[opts.metric].verdict !== 'inconclusive') {
        stopped = 'decided';
        break;
      }
    }
  }
  if (stopped !== 'decided') {
    // One last look at everything measured: it spends the next share of the error budget.
    looks += 1;
    ratio = ratios(looks);
  }

  return {
    schema: COMPARE_SCHEMA,
    kind: 'compare',
    createdAt: new Date().toISOString(),
    tool: { name: 'edgeml', version: VERSION },
    mode: stored ? 'stored-base' : 'interleaved',
    verdict: ratio[opts.metric].verdict,
    metric: opts.metric,
    threshold: opts.threshold,
    rounds: rounds.length,
    looks,
    stopped,
    durationMs: Date.now() - started,
    method: stored ? { ...STORED_METHOD } : { ...METHOD },
    ratio,
    base: {
      model: base,
      runtimeVersion: stored ? stored.doc.runtime.version : runtimeVersion,
      ...(stored ? { results: basename(stored.file), device: stored.doc.device } : {}),
    },
    head: { model: head },
    runtime: { name: 'onnxruntime-node', version: runtimeVersion, executionProvider: b.executionProvider, threads: b.threads, optLevel: b.optLevel },
    device: describeDevice(b.deviceLabel),
    ...(differentDevice ? { differentDevice } : {}),
    scenario: b.scenario,
    settings,
    exact: exactComparisons(base, head, inputs.base, inputs.head),
    measurements: rounds,
  };
}
