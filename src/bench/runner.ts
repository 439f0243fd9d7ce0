// Runs one measurement in a fresh Node process, so load time and peak memory are the model's own.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import type { WorkerMessage, WorkerRequest, WorkerResult } from './protocol.js';

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

export function runWorker(
  request: WorkerRequest,
  onProgress?: (p: ProgressEvent) => void,
): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(workerScript(), [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
      env: process.env,
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8192);
    });
    // A measurement can never legitimately outlive its max duration by much: loading a big
    // model and the warm-up get a generous allowance on top.
    const limitMs = request.run.maxDurationMs * 2 + 300_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new MeasurementError(`measurement of ${request.model} did not finish in ${Math.round(limitMs / 1000)} s and was stopped`, stderr)));
    }, limitMs);
    let done = false;
    const settle = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    child.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'progress') onProgress?.(msg);
      else if (msg.type === 'result') settle(() => resolve(msg.result));
      else if (msg.type === 'error') {
        settle(() => reject(msg.user ? new UserError(msg.message) : new MeasurementError(msg.message, stderr)));
      }
    });
    child.on('error', (e) => settle(() => reject(e)));
    child.on('close', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      settle(() => reject(new MeasurementError(`the measurement process for ${request.model} ${how} before reporting${tail ? `: ${tail}` : ''}`, stderr)));
    });
    child.send(request);
  });
}
