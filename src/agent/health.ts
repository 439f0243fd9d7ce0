// Acceptance of a downloaded model, in a child process (`edgeml agent-health`) so a model that
// crashes the runtime fails its check instead of taking the agent down. With the release's
// evidence: the inputs CI ran, every output finite, output names/shapes/dtypes as CI saw them,
// agreement with CI's outputs within the fidelity floor the artifact passed (cosine, top-1), and
// latency within --max-latency. Without evidence (an older release, a vendor engine): load, run
// once on seeded random inputs, outputs finite.
import { spawn } from 'node:child_process';
import { belowFloor, compareOutputs, type InputMeta, loadOrt, type Outputs, randomData, rng, type TensorData } from '../tensors/index.js';
import { oneLine } from '../errors.js';
import { readEvidence, tensorData, type Evidence } from '../fleet/index.js';
import { judgeLatency, latencyRules, timeInferences } from './latency.js';
import type { LatencyVerdict } from './types.js';

export interface HealthResult {
  ok: boolean;
  latencyMs?: number;
  /** Each latency budget that applied, judged on this device. */
  latency?: LatencyVerdict[];
  /** Agreement with CI's outputs, when the release carried evidence. */
  cosine?: number;
  top1Agreement?: number | null;
  samples?: number;
  error?: string;
}

type Ort = ReturnType<typeof loadOrt>;
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
type Results = Awaited<ReturnType<Session['run']>>;

/** Feeds of each sample: the evidence's, or one set of seeded random inputs (dynamic dims at 1). */
function samplesOf(ort: Ort, session: Session, evidence: Evidence | null) {
  const make = (dtype: string, data: TensorData, dims: number[]) => new ort.Tensor(dtype as 'float32', data as Float32Array, dims);
  if (evidence) {
    return evidence.samples.map((s) => Object.fromEntries(Object.entries(s.inputs).map(([n, t]) => [n, make(t.dtype, tensorData(t), t.dims)])));
  }
  const meta = (session as unknown as { inputMetadata?: InputMeta[] }).inputMetadata ?? [];
  const next = rng(1);
  return [Object.fromEntries(meta.map((m) => {
    const dims = m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    return [m.name, make(m.type, randomData(m.type, dims.reduce((a, b) => a * b, 1), next), dims)];
  }))];
}

/** The first output value that is NaN or infinite, as a sentence, or null. */
function nonFinite(out: Results, sample: number): string | null {
  for (const [name, t] of Object.entries(out)) {
    if (t.type !== 'float32' && t.type !== 'float64') continue;
    const i = (t.data as Float32Array).findIndex((v) => !Number.isFinite(v));
    if (i >= 0) return `output '${name}' is ${(t.data as Float32Array)[i]} at index ${i} of sample ${sample}`;
  }
  return null;
}

/** Where the outputs differ in kind from what CI recorded: names, dtypes, shapes. */
function kindMismatch(out: Results, want: Evidence['samples'][number]['outputs'], sample: number): string | null {
  const got = Object.keys(out).sort().join(', ');
  const expected = Object.keys(want).sort().join(', ');
  if (got !== expected) return `outputs are [${got}], CI's were [${expected}]`;
  for (const [name, w] of Object.entries(want)) {
    const t = out[name];
    if (t.type !== w.dtype) return `output '${name}' is ${t.type}, CI's was ${w.dtype}`;
    if (t.dims.join(',') !== w.dims.join(',')) return `output '${name}' has shape [${t.dims.join(', ')}] on sample ${sample}, CI's was [${w.dims.join(', ')}]`;
  }
  return null;
}

function floatOutputs(out: Record<string, { type: string; data: unknown; dims: readonly number[] }>): Outputs[number] {
  const kept: Outputs[number] = {};
  for (const [name, t] of Object.entries(out)) if (t.type === 'float32') kept[name] = { data: t.data as Float32Array, dims: t.dims };
  return kept;
}

/**
 * In the child: load, run every sample, judge. `slowMs` (tests only, see runHealthCheck) adds that
 * long to every timed inference, as a slower device would.
 */
export async function checkModel(file: string, maxLatencyMs: number | null, evidenceFile: string | null = null, slowMs = 0): Promise<HealthResult> {
  try {
    const ort = loadOrt();
    const evidence = evidenceFile ? readEvidence(evidenceFile) : null;
    const session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
    const feeds = samplesOf(ort, session, evidence);
    await session.run(feeds[0]); // first run: kernels initialise
    const got: Outputs = [];
    const times: number[] = [];
    for (let s = 0; s < feeds.length; s++) {
      const t0 = performance.now();
      const out = await session.run(feeds[s]);
      times.push(performance.now() - t0);
      if (Object.keys(out).length === 0) return { ok: false, error: 'the model produced no outputs' };
      const bad = nonFinite(out, s) ?? (evidence ? kindMismatch(out, evidence.samples[s].outputs, s) : null);
      if (bad) return { ok: false, error: bad };
      got.push(floatOutputs(out));
    }
    const latencyMs = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    const result: HealthResult = { ok: true, latencyMs, samples: feeds.length };
    if (evidence) {
      const ref: Outputs = evidence.samples.map((s) => floatOutputs(Object.fromEntries(Object.entries(s.outputs).map(([n, t]) => [n, { type: t.dtype, data: t.data !== undefined ? tensorData(t) : undefined, dims: t.dims }]))));
      const f = compareOutputs(ref, got);
      Object.assign(result, { cosine: f.cosine, top1Agreement: f.top1Agreement });
      const below = belowFloor(f, evidence.floor);
      if (below) return { ...result, ok: false, error: `its outputs disagree with CI's on the release's inputs: ${below}` };
    }
    const rules = latencyRules(evidence, maxLatencyMs);
    if (rules.length) {
      const timed = await timeInferences(rules, async (i) => {
        await session.run(feeds[i % feeds.length]);
        if (slowMs > 0) await new Promise((r) => setTimeout(r, slowMs));
      });
      result.latency = judgeLatency(rules, timed);
      const failed = result.latency.find((v) => v.verdict === 'fail');
      if (failed) return { ...result, ok: false, error: failed.note };
    }
    return result;
  } catch (e) {
    return { ok: false, error: oneLine(e) };
  }
}

export interface HealthRequest {
  file: string;
  evidence: string | null;
  maxLatencyMs: number | null;
  /** TMPDIR of the child: the agent's own temp folder, cleared at every start. */
  tmp: string;
  timeoutMs?: number;
  /** Tests only: every timed inference takes this much longer (see testSlowdown in index.ts). */
  slowMs?: number;
}

/**
 * In the agent: runs the check in a child process of the same CLI, with a time limit. The child
 * reads its stdin and exits when it closes, so it never outlives the agent (even after kill -9).
 */
export function runHealthCheck(cli: string, req: HealthRequest): Promise<HealthResult> {
  const args = [cli, 'agent-health', req.file, ...(req.evidence ? ['--evidence', req.evidence] : []),
    ...(req.maxLatencyMs !== null ? ['--max-latency', `${req.maxLatencyMs}ms`] : []), ...(req.slowMs ? ['--test-slow', String(req.slowMs)] : [])];
  return new Promise((resolveResult) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: req.tmp, EDGEML_AGENT_CHILD: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdin.on('error', () => {}); // the child may exit before it reads
    const timer = setTimeout(() => child.kill('SIGKILL'), req.timeoutMs ?? 120_000);
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

/** In the child: exit as soon as the agent that started it is gone (its end of stdin closes). */
export function exitWithParent(): void {
  if (process.env.EDGEML_AGENT_CHILD !== '1') return;
  process.stdin.on('end', () => process.exit(3));
  process.stdin.on('close', () => process.exit(3));
  process.stdin.resume();
  process.stdin.unref(); // it does not keep the child alive once the check is done
}
