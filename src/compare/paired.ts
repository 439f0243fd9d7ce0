// The paired design: base and head in one process (bench/paired-worker.ts), short batches in random
// order. Where a model lands in memory changes its speed for the life of a process (measured: a
// 64 MB MatMul model ran 6-13% faster or slower than its own copy loaded beside it, a different
// amount in every process), so one process is not enough: the comparison runs a series of short
// processes (blocks), alternating which model loads first, and each block becomes one round whose
// ratio is the median of its pairs' ratios. The statistics then treat blocks as the independent
// units, which the placement of each process makes them.
import { runPairedWorker, type PairedBatch, type PairedRequest, type RunSettings, type SessionSettings } from '../bench/index.js';
import type { CompareContext } from './context.js';
import { shapes } from './processes.js';
import type { ArmMeasurement, CompareMetric, Round } from './types.js';

/** Each arm's batch lasts about this long: short enough that a disturbance hits both arms of a pair. */
export const PAIRED_BATCH_MS = 25;
/** Pairs are timed for this long in each process (loading and warm-up come on top). */
export const PAIRED_BLOCK_MS = 2000;

export type PairedOutcome =
  | { kind: 'unpairable'; reason: string }
  | { kind: 'done'; runtimeVersion: string; inputs: string; queriesPerBatch: number; pairs: number; stopped: 'decided' | 'max-duration' | 'max-rounds' };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One block as a round: the base arm at its medians, the head arm at base x the median pair ratio. */
export function blockRound(first: Round['first'], pairs: readonly PairedBatch[]): Round {
  const base: ArmMeasurement = { p50: 0, p90: 0, cpu: 0, iterations: 0 };
  const head: ArmMeasurement = { p50: 0, p90: 0, cpu: 0, iterations: 0 };
  for (const m of ['p50', 'p90', 'cpu'] as const satisfies readonly CompareMetric[]) {
    base[m] = median(pairs.map((p) => p.base[m]));
    head[m] = base[m]! * Math.exp(median(pairs.map((p) => Math.log(p.head[m] / p.base[m]))));
  }
  base.iterations = pairs.reduce((s, p) => s + p.base.iterations, 0);
  head.iterations = pairs.reduce((s, p) => s + p.head.iterations, 0);
  return { first, base, head };
}

export async function measurePaired(ctx: CompareContext, session: SessionSettings, run: RunSettings): Promise<PairedOutcome> {
  const { opts, seq } = ctx;
  let timeUp = false;
  let total = 0;
  let last: { runtimeVersion: string; inputs: string; queriesPerBatch: number } | undefined;
  for (let block = 0; ; block++) {
    const blockStart = Date.now();
    const loadFirst = block % 2 === 0 ? 'base' : 'head';
    const request: PairedRequest = {
      kind: 'paired',
      base: ctx.base.path,
      head: ctx.head.path,
      inputs: opts.bench.inputs,
      session,
      run: { ...run, maxDurationMs: PAIRED_BLOCK_MS },
      batchMs: PAIRED_BATCH_MS,
      loadFirst,
    };
    const pairs: PairedBatch[] = [];
    const outcome = await runPairedWorker(
      request,
      () => {},
      (chunk) => {
        pairs.push(...chunk);
        timeUp = Date.now() - ctx.started >= opts.maxDurationMs;
        return timeUp;
      },
    );
    if (outcome.kind === 'unpairable') return outcome;
    const { ready } = outcome;
    last = { runtimeVersion: ready.runtimeVersion, inputs: shapes(ready), queriesPerBatch: ready.queriesPerBatch };
    const blockMs = Date.now() - blockStart;
    if (block === 0) {
      // The plan, from the first block: how many blocks the rest of the time holds.
      const planned = 1 + Math.floor(Math.max(0, opts.maxDurationMs - (Date.now() - ctx.started)) / Math.max(1, blockMs));
      seq.plan(planned);
      ctx.checkPlan(planned, `one process (loading both, warm-up, ${PAIRED_BLOCK_MS / 1000} s of pairs) took ${(blockMs / 1000).toFixed(1)} s`);
    }
    if (pairs.length) {
      total += pairs.length;
      if (seq.add(blockRound(loadFirst, pairs))) break;
    }
    if (timeUp || Date.now() - ctx.started + blockMs > opts.maxDurationMs) {
      seq.finish();
      break;
    }
  }
  const stopped = seq.decided ? 'decided' : seq.cappedByRounds && seq.finished ? 'max-rounds' : 'max-duration';
  return { kind: 'done', ...(last as NonNullable<typeof last>), pairs: total, stopped };
}
