// One comparison of base and head: identical files are `unchanged` unmeasured; otherwise the
// design is chosen (paired in one process where it can be, separate processes where it cannot,
// head runs against a stored base), the rounds are looked at on a plan made from the first
// measurement until the verdict is decided or the time is spent, and the document says which
// design decided and why.
import { freemem } from 'node:os';
import { basename } from 'node:path';
import { defaultSamplesPerQuery, describeDevice, type WorkerRequest } from '../bench/index.js';
import { FLAG_NAMES, UserError } from '../errors.js';
import { inspectModelFile, type ModelFile } from '../model/index.js';
import type { BenchResults, BenchSettings } from '../results/index.js';
import { settingDefaults } from '../settings/index.js';
import { VERSION } from '../version.js';
import { COMPARE_SETTINGS } from './settings.js';
import type { CompareContext } from './context.js';
import { measurePaired } from './paired.js';
import { measureInProcesses } from './processes.js';
import { Sequential, type LookEvent } from './sequential.js';
import { COMPARE_SCHEMA, type CompareMetric, type CompareOptions, type CompareResults, type Design, type DesignChoice, type ExactComparison, type RatioResult, type Ratios } from './types.js';
import { METHOD, PAIRED_METHOD, STORED_METHOD } from './verdict.js';

const D = settingDefaults(COMPARE_SETTINGS);

/** COMPARE_SETTINGS' defaults, typed. */
export const COMPARE_DEFAULTS = {
  threshold: D.threshold,
  metric: D.statistic as CompareMetric,
  maxDurationMs: D.maxDuration,
  minRounds: D.minRounds,
  maxRounds: D.maxRounds,
  design: D.design as DesignChoice,
  /** Each measurement: short, since the rounds, not the runs, carry the statistics. */
  minDurationMs: D.minDuration,
  minIterations: D.minIterations,
};

export interface CompareHooks {
  onLook?: (e: LookEvent) => void;
  /** A warning about the plan (the time cannot reach min-rounds), before or early in measuring. */
  onWarning?: (message: string) => void;
  /** The design chosen, before measuring starts. */
  onDesign?: (design: CompareResults['design']) => void;
}

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

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
  const names = opts.names ?? FLAG_NAMES;
  const flag = (f: string) => names.key(f);
  const stored = opts.baseResults;
  if (!stored && !opts.base) throw new UserError('no base given: edgeml compare --base A.onnx --head B.onnx (or --base-results results.json)');
  if (stored && opts.metric === 'cpu') throw new UserError(`${flag('--metric')} cpu: a stored results document has no CPU time; use --metric p50 or p90, or measure both with --base A.onnx`);
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
  const differentDevice = stored ? checkStoredBase(opts, stored.doc, stored.file, settings) : undefined;
  const session = { threads: b.threads, executionProvider: b.executionProvider, optLevel: b.optLevel };
  const request = (model: string): WorkerRequest => ({ model, inputs: b.inputs, session, run: { scenario: b.scenario, ...settings } });
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    hooks.onWarning?.(m);
  };
  const seq = new Sequential({
    threshold: opts.threshold,
    metric: opts.metric,
    minRounds: opts.minRounds,
    maxRounds: opts.maxRounds,
    ...(stored ? { storedBase: { p50: stored.doc.latencyMs.p50 ?? undefined, p90: stored.doc.latencyMs.p90 ?? undefined } } : {}),
    ...(hooks.onLook ? { onLook: hooks.onLook } : {}),
  });
  const ctx: CompareContext = {
    opts, seq, base, head, started,
    ...(stored ? { stored } : {}),
    ...(differentDevice ? { differentDevice } : {}),
    checkPlan(planned, why) {
      const need = Math.max(opts.minRounds, seq.fewestRounds);
      if (planned >= need) return;
      warn(`${flag('--max-duration')} ${(opts.maxDurationMs / 1000).toFixed(0)}s holds about ${planned} rounds (${why}), fewer than the ${need} needed (${flag('--min-rounds')} ${opts.minRounds}, at least ${seq.fewestRounds} for an interval): the comparison will likely end without a verdict; raise ${flag('--max-duration')}`);
    },
  };

  let design: CompareResults['design'] = chooseDesign(opts, base, head, !!stored);
  let runtimeVersion = stored ? stored.doc.runtime.version : '';
  let inputs = { base: '', head: '' };
  let stopped: CompareResults['stopped'] = 'same-file';
  if (design.used === 'processes' || design.used === 'stored-base') {
    // Each round is at least two measurements of --min-duration: warn before spending the time.
    const perRound = (stored ? 1 : 2) * Math.max(b.minDurationMs, 1);
    ctx.checkPlan(Math.floor(opts.maxDurationMs / perRound), `each round takes at least ${stored ? '' : '2 x '}${flag('--min-duration')} ${b.minDurationMs / 1000}s`);
  }
  hooks.onDesign?.(design);
  if (design.used === 'paired') {
    const p = await measurePaired(ctx, session, { scenario: b.scenario, ...settings });
    if (p.kind === 'unpairable') {
      design = { used: 'processes', reason: `not paired: ${p.reason}` };
      hooks.onDesign?.(design);
    } else {
      design = { ...design, queriesPerBatch: p.queriesPerBatch, pairs: p.pairs, standby: p.standby };
      runtimeVersion = p.runtimeVersion;
      inputs = { base: p.inputs, head: p.inputs };
      stopped = p.stopped;
    }
  }
  if (design.used === 'processes' || design.used === 'stored-base') {
    const p = await measureInProcesses(ctx, request);
    if (!stored) runtimeVersion = p.runtimeVersion;
    inputs = { base: p.inputs.base, head: p.inputs.head };
    stopped = p.stopped;
    if (p.differentDevice) ctx.differentDevice = p.differentDevice;
  }

  const sameFile = design.used === 'same-file';
  // The same bytes are the same model: the ratio is exactly 1, an interval of width 0, no error to spend.
  const unmeasured: RatioResult = { estimate: 1, ci95: [1, 1], lookLevel: 1, verdict: 'unchanged' };
  const ratio: Ratios = sameFile ? { p50: unmeasured, p90: { ...unmeasured }, ...(opts.metric === 'cpu' ? { cpu: { ...unmeasured } } : {}) } : seq.ratio;
  const deciding = ratio[opts.metric] as RatioResult;
  const noInterval = sameFile ? undefined : seq.noInterval(flag);
  return {
    schema: COMPARE_SCHEMA,
    kind: 'compare',
    createdAt: new Date().toISOString(),
    tool: { name: 'edgeml', version: VERSION },
    mode: stored ? 'stored-base' : 'interleaved',
    verdict: deciding.verdict,
    metric: opts.metric,
    threshold: opts.threshold,
    design,
    rounds: seq.rounds.length,
    looks: seq.looks,
    plan: { looks: seq.planned, levelPerLook: seq.level, warnings },
    intervalWidth: deciding.ci95 ? deciding.ci95[1] - deciding.ci95[0] : null,
    ...(noInterval ? { noInterval } : {}),
    stopped,
    durationMs: Date.now() - started,
    method: stored ? { ...STORED_METHOD } : design.used === 'paired' ? { ...PAIRED_METHOD } : { ...METHOD },
    ratio,
    base: {
      model: base,
      runtimeVersion: stored ? stored.doc.runtime.version : runtimeVersion,
      ...(stored ? { results: basename(stored.file), device: stored.doc.device } : {}),
    },
    head: { model: head },
    runtime: { name: 'onnxruntime-node', version: runtimeVersion, executionProvider: b.executionProvider, threads: b.threads, optLevel: b.optLevel },
    device: describeDevice(b.deviceLabel),
    ...(ctx.differentDevice ? { differentDevice: ctx.differentDevice } : {}),
    scenario: b.scenario,
    settings,
    exact: exactComparisons(base, head, inputs.base || (stored ? shapesOf(stored.doc) : ''), inputs.head),
    measurements: seq.rounds,
  };
}

const shapesOf = (doc: BenchResults) => doc.inputs.map((i) => `${i.name}=${i.shape.join('x') || 'scalar'}`).join(' ');

/**
 * Which design measures, and why. Pairing needs both sessions in memory at once (taken as twice
 * the two files' bytes, against the memory free now); a stored base has one side only.
 */
export function chooseDesign(opts: Pick<CompareOptions, 'design' | 'names'>, base: ModelFile, head: ModelFile, stored: boolean): { used: Design; reason: string } {
  const flag = (opts.names ?? FLAG_NAMES).key('--design');
  if (base.sha256 === head.sha256) return { used: 'same-file', reason: `base and head have the same sha256 (${head.sha256.slice(0, 12)}): unchanged without measuring` };
  if (stored) return { used: 'stored-base', reason: 'the base is a stored results document: head runs against its numbers' };
  if (opts.design === 'processes') return { used: 'processes', reason: `${flag} processes` };
  const need = 2 * (base.bytes + head.bytes);
  const free = freemem();
  if (opts.design === 'paired') return { used: 'paired', reason: `${flag} paired` };
  if (need > 0.8 * free) {
    return { used: 'processes', reason: `not paired: base and head (${MB(base.bytes)} + ${MB(head.bytes)}) may not fit in memory together (about ${MB(need)} needed, ${MB(free)} free)` };
  }
  return { used: 'paired', reason: `${flag} auto: both fit in memory (${MB(base.bytes)} + ${MB(head.bytes)}, ${MB(free)} free)` };
}
