// Runs a vendor tool as a child process, keeping its output and its peak resident memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.js';

export interface ToolRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived (the tools log to both). */
  output: string;
  /** Peak resident set of the tool's process (VmHWM), polled on Linux; null elsewhere. */
  peakRssBytes: number | null;
}

/** VmHWM ("high water mark" of resident memory) from /proc/<pid>/status text, in bytes. */
export function vmHwmBytes(status: string): number | null {
  const m = status.match(/^VmHWM:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) * 1024 : null;
}

function readHwm(pid: number): number | null {
  try {
    return vmHwmBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null; // gone already, or not Linux
  }
}

const MAX_OUTPUT = 16 * 2 ** 20;

export function runTool(path: string, args: string[], timeoutMs: number, pollMs = 20): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output += d.toString();
      // Verbose trtexec logs run to megabytes: the summary is at the end, keep the tail.
      if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT / 2);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let peak: number | null = null;
    const poll = () => {
      if (child.pid === undefined || process.platform !== 'linux') return;
      const v = readHwm(child.pid);
      if (v !== null) peak = Math.max(peak ?? 0, v);
    };
    const poller = setInterval(poll, pollMs);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('spawn', poll);
    child.on('error', (e) => {
      clearInterval(poller);
      clearTimeout(timer);
      reject(new UserError(`${path}: cannot run it (${(e as NodeJS.ErrnoException).code ?? e.message}); check that it is an executable for this machine`));
    });
    child.on('close', (status, signal) => {
      clearInterval(poller);
      clearTimeout(timer);
      resolve({ status, signal, output, peakRssBytes: peak });
    });
  });
}
