// Runs the paired measurement (paired-worker.ts) in one fresh process and hands its pairs to the
// caller as they arrive; the caller says when to stop. A process started on standby (`hold`) loads
// and warms up both sessions, then waits for `go()` before it times a pair.
import type { PairedBatch, PairedMessage, PairedRequest } from './protocol.js';
import { MeasurementError, forkWorker, workerLimitMs, type WorkerLink } from './runner.js';

export type PairedReady = Extract<PairedMessage, { type: 'ready' }>;
export type PairedOutcome = { kind: 'unpairable'; reason: string } | { kind: 'done'; ready: PairedReady };

export interface PairedProcess {
  /** Resolves once the process has released both sessions, or with `unpairable`. */
  done: Promise<PairedOutcome>;
  /** Start timing (a standby process); before it is ready, as soon as it is. */
  go(): void;
  /** End it without timing (a standby process no longer needed). */
  stop(): void;
}

/**
 * `onPairs` gets each chunk of pairs in order and returns true to stop the measurement. With
 * `request.hold` nothing is timed until `go()`.
 */
export function startPairedWorker(request: PairedRequest, onReady: (r: PairedReady) => void, onPairs: (pairs: PairedBatch[]) => boolean): PairedProcess {
  let stopping = false;
  let ready: PairedReady | undefined;
  let link: WorkerLink<PairedOutcome> | undefined;
  let wanted: 'go' | 'stop' | undefined;
  const tell = (m: 'go' | 'stop') => {
    if (m === 'stop') stopping = true;
    if (link) link.send({ type: m });
    else wanted = m;
  };
  const done = forkWorker<PairedMessage, PairedOutcome>(`paired measurement of ${request.base} and ${request.head}`, request, workerLimitMs(request.run.maxDurationMs), (msg, l) => {
    if (!link) {
      link = l;
      if (wanted) l.send({ type: wanted });
    }
    if (msg.type === 'ready') {
      ready = msg;
      onReady(msg);
    } else if (msg.type === 'pairs') {
      if (stopping) return;
      if (onPairs(msg.pairs)) tell('stop');
    } else if (msg.type === 'unpairable') l.resolve({ kind: 'unpairable', reason: msg.reason });
    else if (msg.type === 'done') {
      if (ready) l.resolve({ kind: 'done', ready });
      else l.reject(new MeasurementError('the paired measurement ended before it was ready', l.stderr()));
    }
  });
  return { done, go: () => tell('go'), stop: () => tell('stop') };
}

/** One paired process, timed from the start; resolves as `startPairedWorker(...).done`. */
export function runPairedWorker(request: PairedRequest, onReady: (r: PairedReady) => void, onPairs: (pairs: PairedBatch[]) => boolean): Promise<PairedOutcome> {
  return startPairedWorker({ ...request, hold: false }, onReady, onPairs).done;
}
