// The paired design: base and head in one process (bench/paired-worker.ts), short batches in random
// order. Where a model lands in memory changes its speed for the life of a process (measured: a
// 64 MB MatMul model ran 6-13% faster or slower than its own copy loaded beside it, a different
// amount in every process), so one process is not enough: the comparison runs a series of short
// processes (blocks), alternating which model loads first, and each block becomes one round whose
// ratio is the median of its pairs' ratios. The statistics then treat blocks as the independent
// units, which the placement of each process makes them.
import { freemem } from 'node:os';
import { startPairedWorker, type PairedBatch, type PairedRequest, type RunSettings, type SessionSettings } from '../bench/index.js';
import type { CompareContext } from './context.js';
import { shapes } from './processes.js';
import type { ArmMeasurement, CompareMetric, Round } from './types.js';

/** Each arm's batch lasts about this long: short enough that a disturbance hits both arms of a pair. */
export const PAIRED_BATCH_MS = 25;
/** Pairs are timed for this long in each process (loading and warm-up come on top). */
export const PAIRED_BLOCK_MS = 2000;

export type PairedOutcome =
  | { kind: 'unpairable'; reason: string }
  | { kind: 'done'; runtimeVersion: string; inputs: string; queriesPerBatch: number; pairs: number; stopped: 'decided' | 'max-duration' | 'max-rounds'; standby: boolean };

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

/**
 * Standby: the next process loads and warms up both models while the one before it times its
 * pairs, so a round costs about its pairs and not the load on top. It holds four models at once
 * (two in each of two processes), so only where four times the two files fit in the memory free.
 */
export function standbyFits(base: { bytes: number }, head: { bytes: number }, free = freemem()): boolean {
  return 4 * (base.bytes + head.bytes) <= 0.8 * free;
}

export async function measurePaired(ctx: CompareContext, session: SessionSettings, run: RunSettings): Promise<PairedOutcome> {
  const { opts, seq } = ctx;
  const standby = standbyFits(ctx.base, ctx.head);
  let timeUp = false;
  let total = 0;
  let last: { runtimeVersion: string; inputs: string; queriesPerBatch: number } | undefined;
  const start = (block: number, hold: boolean) => {
    const loadFirst: Round['first'] = block % 2 === 0 ? 'base' : 'head';
    const request: PairedRequest = {
      kind: 'paired',
      base: ctx.base.path,
      head: ctx.head.path,
      inputs: opts.bench.inputs,
      session,
      run: { ...run, maxDurationMs: PAIRED_BLOCK_MS },
      batchMs: PAIRED_BATCH_MS,
      loadFirst,
      hold,
    };
    const pairs: PairedBatch[] = [];
    const proc = startPairedWorker(request, () => {}, (chunk) => {
      pairs.push(...chunk);
      timeUp = Date.now() - ctx.started >= opts.maxDurationMs;
      return timeUp;
    });
    // A standby process that is never used may fail unheard; its failure is read when it is used.
    proc.done.catch(() => undefined);
    return { proc, pairs, loadFirst };
  };
  let current = start(0, false);
  let next = standby ? start(1, true) : undefined;
  let blockStart = Date.now();
  try {
    for (let block = 0; ; block++) {
      const outcome = await current.proc.done;
      if (outcome.kind === 'unpairable') return outcome;
      const { ready } = outcome;
      last = { runtimeVersion: ready.runtimeVersion, inputs: shapes(ready), queriesPerBatch: ready.queriesPerBatch };
      const blockMs = Date.now() - blockStart;
      blockStart = Date.now();
      // The plan: how many blocks the rest of the time holds. Without standby every block is like
      // the first; with it, the first also loaded from cold, so the plan waits for the second.
      if (block === (standby ? 1 : 0)) {
        const planned = block + 1 + Math.floor(Math.max(0, opts.maxDurationMs - (Date.now() - ctx.started)) / Math.max(1, blockMs));
        seq.plan(planned);
        ctx.checkPlan(planned, standby
          ? `one process took ${(blockMs / 1000).toFixed(1)} s (${PAIRED_BLOCK_MS / 1000} s of pairs; the next one loads and warms up meanwhile)`
          : `one process (loading both, warm-up, ${PAIRED_BLOCK_MS / 1000} s of pairs) took ${(blockMs / 1000).toFixed(1)} s`);
      }
      if (current.pairs.length) {
        total += current.pairs.length;
        if (seq.add(blockRound(current.loadFirst, current.pairs))) break;
      }
      if (timeUp || Date.now() - ctx.started + blockMs > opts.maxDurationMs) {
        seq.finish();
        break;
      }
      if (next) {
        current = next;
        current.proc.go();
        next = start(block + 2, true);
      } else current = start(block + 1, false);
    }
  } finally {
    next?.proc.stop();
    await next?.proc.done.catch(() => undefined);
  }
  const stopped = seq.decided ? 'decided' : seq.cappedByRounds && seq.finished ? 'max-rounds' : 'max-duration';
  return { kind: 'done', ...(last as NonNullable<typeof last>), pairs: total, stopped, standby };
}
