// The process-alternating design: a fresh process for every measurement, the order flipped each
// round (A B, B A, A B, ...). Never base in one block and head in another: a machine that slows
// down halfway would then read as a regression. Used where pairing in one process is impossible,
// and against a stored base (head runs only).
import { runWorker, type WorkerRequest, type WorkerResult } from '../bench/index.js';
import { UserError } from '../errors.js';
import { percentile, sortedCopy } from '../stats/index.js';
import type { CompareContext } from './context.js';
import type { ArmMeasurement, Round } from './types.js';

function measurement(m: WorkerResult): ArmMeasurement {
  const sorted = sortedCopy(m.samples);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), ...(m.cpuMs !== undefined ? { cpu: m.cpuMs } : {}), iterations: sorted.length };
}

export function shapes(m: { inputs: Array<{ name: string; shape: number[] }> }): string {
  return m.inputs.map((i) => `${i.name}=${i.shape.join('x') || 'scalar'}`).join(' ');
}

export interface ProcessesOutcome {
  runtimeVersion: string;
  inputs: { base: string; head: string };
  stopped: 'decided' | 'max-duration' | 'max-rounds';
  differentDevice?: { base: string; head: string };
}

export async function measureInProcesses(ctx: CompareContext, request: (model: string) => WorkerRequest): Promise<ProcessesOutcome> {
  const { opts, seq, stored } = ctx;
  let runtimeVersion = '';
  let inputs = { base: stored ? shapes(stored.doc) : '', head: '' };
  let differentDevice = ctx.differentDevice;
  let lastRoundMs = 0;
  for (;;) {
    const elapsed = Date.now() - ctx.started;
    if (seq.rounds.length > 0 && elapsed + lastRoundMs > opts.maxDurationMs) {
      seq.finish();
      break;
    }
    const roundStart = Date.now();
    const first: Round['first'] = seq.rounds.length % 2 === 0 ? 'base' : 'head';
    let baseRun: ArmMeasurement | null = null;
    let headRun: ArmMeasurement | undefined;
    for (const arm of stored ? (['head'] as const) : first === 'base' ? (['base', 'head'] as const) : (['head', 'base'] as const)) {
      const m = await runWorker(request(arm === 'base' ? ctx.base.path : ctx.head.path));
      runtimeVersion ||= m.runtimeVersion;
      inputs = { ...inputs, [arm]: shapes(m) };
      if (arm === 'base') baseRun = measurement(m);
      else headRun = measurement(m);
    }
    if (stored && seq.rounds.length === 0 && runtimeVersion !== stored.doc.runtime.version) {
      const note = `onnxruntime-node ${stored.doc.runtime.version} there, ${runtimeVersion} here`;
      if (!opts.allowDifferentDevice) {
        throw new UserError(`${stored.file}: measured with ${note}; measure both with one runtime or pass --allow-different-device`);
      }
      differentDevice = { base: `${differentDevice?.base ?? 'same device'}; ${note}`, head: differentDevice?.head ?? 'same device' };
    }
    lastRoundMs = Date.now() - roundStart;
    if (seq.rounds.length === 0) {
      // The plan, from the first round: how many rounds the rest of the time holds.
      const planned = 1 + Math.floor(Math.max(0, opts.maxDurationMs - (Date.now() - ctx.started)) / Math.max(1, lastRoundMs));
      seq.plan(planned);
      ctx.checkPlan(planned, `one round took ${(lastRoundMs / 1000).toFixed(1)} s`);
    }
    if (seq.add({ first: stored ? 'head' : first, base: baseRun, head: headRun as ArmMeasurement })) break;
  }
  const stopped = seq.decided ? 'decided' : seq.cappedByRounds && seq.finished ? 'max-rounds' : 'max-duration';
  return { runtimeVersion, inputs, stopped, ...(differentDevice ? { differentDevice } : {}) };
}
