// Runs the paired measurement (paired-worker.ts) in one fresh process and hands its pairs to the
// caller as they arrive; the caller says when to stop.
import type { PairedBatch, PairedMessage, PairedRequest } from './protocol.js';
import { MeasurementError, forkWorker, workerLimitMs } from './runner.js';

export type PairedReady = Extract<PairedMessage, { type: 'ready' }>;
export type PairedOutcome = { kind: 'unpairable'; reason: string } | { kind: 'done'; ready: PairedReady };

/**
 * `onPairs` gets each chunk of pairs in order and returns true to stop the measurement. Resolves
 * once the process has released both sessions, or with `unpairable` when the two models cannot
 * take the same inputs.
 */
export function runPairedWorker(request: PairedRequest, onReady: (r: PairedReady) => void, onPairs: (pairs: PairedBatch[]) => boolean): Promise<PairedOutcome> {
  let stopping = false;
  let ready: PairedReady | undefined;
  return forkWorker<PairedMessage, PairedOutcome>(`paired measurement of ${request.base} and ${request.head}`, request, workerLimitMs(request.run.maxDurationMs), (msg, link) => {
    if (msg.type === 'ready') {
      ready = msg;
      onReady(msg);
    } else if (msg.type === 'pairs') {
      if (stopping) return;
      if (onPairs(msg.pairs)) {
        stopping = true;
        link.send({ type: 'stop' });
      }
    } else if (msg.type === 'unpairable') link.resolve({ kind: 'unpairable', reason: msg.reason });
    else if (msg.type === 'done') {
      if (ready) link.resolve({ kind: 'done', ready });
      else link.reject(new MeasurementError('the paired measurement ended before it was ready', link.stderr()));
    }
  });
}
