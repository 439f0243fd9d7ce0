// Health check of a downloaded model: load it in ONNX Runtime and run one inference on seeded
// random inputs. It runs in a child process (`edgeml agent-health`), so a model that crashes the
// runtime fails its check instead of taking the agent down.
import { spawn } from 'node:child_process';
import { loadOrt } from '../bench/ort.js';
import { randomData, rng, type TensorData } from '../bench/data.js';
import type { InputMeta } from '../bench/inputs.js';
import { oneLine } from '../errors.js';

export interface HealthResult {
  ok: boolean;
  latencyMs?: number;
  error?: string;
}

/** In the child: load, run once, report. Dynamic dims become 1. */
export async function checkModel(file: string, maxLatencyMs: number | null): Promise<HealthResult> {
  try {
    const ort = loadOrt();
    const session = await ort.InferenceSession.create(file);
    const meta = (session as unknown as { inputMetadata?: InputMeta[] }).inputMetadata ?? [];
    const next = rng(1);
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const m of meta) {
      const shape = m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      const count = shape.reduce((a, b) => a * b, 1);
      feeds[m.name] = new ort.Tensor(m.type as 'float32', randomData(m.type, count, next) as TensorData as Float32Array, shape);
    }
    await session.run(feeds); // first run: kernels initialise
    const t0 = performance.now();
    const out = await session.run(feeds);
    const latencyMs = performance.now() - t0;
    await session.release();
    if (Object.keys(out).length === 0) return { ok: false, error: 'the model produced no outputs' };
    if (maxLatencyMs !== null && latencyMs > maxLatencyMs) {
      return { ok: false, latencyMs, error: `one inference took ${latencyMs.toFixed(1)} ms, over the --max-latency budget of ${maxLatencyMs} ms` };
    }
    return { ok: true, latencyMs };
  } catch (e) {
    return { ok: false, error: oneLine(e) };
  }
}

/** In the agent: runs the check in a child process of the same CLI, with a time limit. */
export function runHealthCheck(cli: string, file: string, maxLatencyMs: number | null, timeoutMs = 120_000): Promise<HealthResult> {
  const args = [cli, 'agent-health', file, ...(maxLatencyMs !== null ? ['--max-latency', `${maxLatencyMs}ms`] : [])];
  return new Promise((resolveResult) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(out.trim().split('\n').pop() ?? '') as HealthResult;
        if (code === 0 || !r.ok) return resolveResult(r);
      } catch {
        // fall through: the child died before reporting
      }
      resolveResult({ ok: false, error: `the health check process ${signal ? `was killed (${signal})` : `exited with ${code}`}: ${oneLine(err).slice(0, 300)}` });
    });
  });
}
