// Runs one measurement in a fresh Node process, so load time and peak memory are the model's own.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import type { PairedRequest, ParentMessage, WorkerMessage, WorkerRequest, WorkerResult } from './protocol.js';

export type ProgressEvent = Extract<WorkerMessage, { type: 'progress' }>;

/**
 * The worker script: beside this file when compiled by tsc, in dist/worker/ when bundled,
 * and the repository's dist/ when tests run the TypeScript sources.
 */
export function workerScript(): string {
  if (process.env.EDGEML_WORKER_SCRIPT) return process.env.EDGEML_WORKER_SCRIPT;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'worker.js'), join(here, '..', 'worker', 'index.js'), join(here, '..', '..', 'dist', 'worker', 'index.js')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`edgeml worker script not found (looked in ${candidates.join(', ')}): run 'npm run build'`);
  return found;
}

export class MeasurementError extends Error {
  constructor(message: string, readonly stderr: string) {
    super(message);
    this.name = 'MeasurementError';
  }
}

/** What a caller's message handler may do: end the run either way, or talk back to the worker. */
export interface WorkerLink<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  send(message: ParentMessage): void;
  /** The last 8 KiB the worker wrote to stderr. */
  stderr(): string;
}

/** Messages every worker may send: a failure, the user's (UserError) or the measurement's. */
type ErrorMessage = { type: 'error'; user: boolean; message: string };

/**
 * Forks the worker script, sends it `request` and hands every message but `error` to `onMessage`
 * until it resolves or rejects. `what` names the measurement in messages ("measurement of
 * model.onnx"). The process is killed after `limitMs`; one that exits or dies before the run ended
 * rejects with the tail of its stderr.
 */
export function forkWorker<M extends { type: string }, T>(
  what: string,
  request: WorkerRequest | PairedRequest,
  limitMs: number,
  onMessage: (msg: Exclude<M, ErrorMessage>, link: WorkerLink<T>) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(workerScript(), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], env: process.env });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8192);
    });
    let done = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      link.reject(new MeasurementError(`${what} did not finish in ${Math.round(limitMs / 1000)} s and was stopped`, stderr));
    }, limitMs);
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const link: WorkerLink<T> = {
      resolve: (v) => settle(() => resolve(v)),
      reject: (e) => settle(() => reject(e)),
      send: (m) => {
        if (child.connected) child.send(m);
      },
      stderr: () => stderr,
    };
    child.on('message', (msg: M | ErrorMessage) => {
      if (done) return;
      if (msg.type === 'error') {
        const e = msg as ErrorMessage;
        link.reject(e.user ? new UserError(e.message) : new MeasurementError(e.message, stderr));
      } else onMessage(msg as Exclude<M, ErrorMessage>, link);
    });
    child.on('error', (e) => link.reject(e));
    child.on('close', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      link.reject(new MeasurementError(`the process of the ${what} ${how} before reporting${tail ? `: ${tail}` : ''}`, stderr));
    });
    child.send(request);
  });
}

/** A measurement can never legitimately outlive its max duration by much: loading a big model and the warm-up get a generous allowance on top. */
export const workerLimitMs = (maxDurationMs: number) => maxDurationMs * 2 + 300_000;

export function runWorker(request: WorkerRequest, onProgress?: (p: ProgressEvent) => void): Promise<WorkerResult> {
  return forkWorker<WorkerMessage, WorkerResult>(`measurement of ${request.model}`, request, workerLimitMs(request.run.maxDurationMs), (msg, link) => {
    if (msg.type === 'progress') onProgress?.(msg);
    else if (msg.type === 'result') link.resolve(msg.result);
  });
}
