// The paired design: base and head in one process (bench/paired-worker.ts), short batches in random
// order, one round per pair of batches. The looks are planned once the process has timed a few
// queries of each; --max-duration counts from the start of the comparison, loading included.
import { runPairedWorker, type PairedRequest, type RunSettings, type SessionSettings } from '../bench/index.js';
import type { CompareContext } from './context.js';
import { shapes } from './processes.js';

/** Each arm's batch lasts about this long: short enough that a disturbance hits both arms of a pair. */
export const PAIRED_BATCH_MS = 25;

export type PairedOutcome =
  | { kind: 'unpairable'; reason: string }
  | { kind: 'done'; runtimeVersion: string; inputs: string; queriesPerBatch: number; stopped: 'decided' | 'max-duration' | 'max-rounds' };

export async function measurePaired(ctx: CompareContext, session: SessionSettings, run: RunSettings): Promise<PairedOutcome> {
  const { opts, seq } = ctx;
  const request: PairedRequest = {
    kind: 'paired',
    base: ctx.base.path,
    head: ctx.head.path,
    inputs: opts.bench.inputs,
    session,
    // The process stops itself a little after the comparison's time, should the parent not.
    run: { ...run, maxDurationMs: opts.maxDurationMs + 10_000 },
    batchMs: PAIRED_BATCH_MS,
  };
  let timedOut = false;
  const outcome = await runPairedWorker(
    request,
    (ready) => {
      const pairMs = ready.queriesPerBatch * (ready.queryMs.base + ready.queryMs.head);
      const left = Math.max(0, opts.maxDurationMs - (Date.now() - ctx.started));
      const planned = Math.floor(left / Math.max(1e-3, pairMs));
      seq.plan(planned);
      ctx.checkPlan(planned, `a pair of batches of ${ready.queriesPerBatch} queries takes about ${pairMs.toFixed(1)} ms and ${(left / 1000).toFixed(1)} s are left after loading`);
    },
    (pairs) => {
      if (seq.add(...pairs)) return true;
      if (Date.now() - ctx.started >= opts.maxDurationMs) {
        timedOut = true;
        seq.finish();
        return true;
      }
      return false;
    },
  );
  if (outcome.kind === 'unpairable') return outcome;
  if (!timedOut && !seq.finished && !seq.decided) seq.finish();
  const stopped = seq.decided ? 'decided' : seq.cappedByRounds && seq.finished && !timedOut ? 'max-rounds' : 'max-duration';
  const inputs = shapes(outcome.ready);
  return { kind: 'done', runtimeVersion: outcome.ready.runtimeVersion, inputs, queriesPerBatch: outcome.ready.queriesPerBatch, stopped };
}
