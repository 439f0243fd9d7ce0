// Runs the paired measurement (paired-worker.ts) in one fresh process and hands its pairs to the
// caller as they arrive; the caller says when to stop.
import { fork } from 'node:child_process';
import { UserError } from '../errors.js';
import type { PairedBatch, PairedMessage, PairedRequest } from './protocol.js';
import { MeasurementError, workerScript } from './runner.js';

export type PairedReady = Extract<PairedMessage, { type: 'ready' }>;
export type PairedOutcome = { kind: 'unpairable'; reason: string } | { kind: 'done'; ready: PairedReady };

/**
 * `onPairs` gets each chunk of pairs in order and returns true to stop the measurement. Resolves
 * once the process has released both sessions, or with `unpairable` when the two models cannot
 * take the same inputs.
 */
export function runPairedWorker(request: PairedRequest, onReady: (r: PairedReady) => void, onPairs: (pairs: PairedBatch[]) => boolean): Promise<PairedOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(workerScript(), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], env: process.env });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8192);
    });
    const limitMs = request.run.maxDurationMs * 2 + 300_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new MeasurementError(`paired measurement of ${request.base} and ${request.head} did not finish in ${Math.round(limitMs / 1000)} s and was stopped`, stderr)));
    }, limitMs);
    let done = false;
    let stopping = false;
    let ready: PairedReady | undefined;
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    child.on('message', (msg: PairedMessage) => {
      if (msg.type === 'ready') {
        ready = msg;
        onReady(msg);
      } else if (msg.type === 'pairs') {
        if (stopping) return;
        if (onPairs(msg.pairs)) {
          stopping = true;
          if (child.connected) child.send({ type: 'stop' });
        }
      } else if (msg.type === 'unpairable') settle(() => resolve({ kind: 'unpairable', reason: msg.reason }));
      else if (msg.type === 'done') {
        if (ready) settle(() => resolve({ kind: 'done', ready: ready as PairedReady }));
        else settle(() => reject(new MeasurementError('the paired measurement ended before it was ready', stderr)));
      } else if (msg.type === 'error') {
        settle(() => reject(msg.user ? new UserError(msg.message) : new MeasurementError(msg.message, stderr)));
      }
    });
    child.on('error', (e) => settle(() => reject(e)));
    child.on('close', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      settle(() => reject(new MeasurementError(`the paired measurement process for ${request.base} and ${request.head} ${how} before reporting${tail ? `: ${tail}` : ''}`, stderr)));
    });
    child.send(request);
  });
}
