// One measurement in a fresh process: load the model, build inputs, warm up, time queries.
// The parent sends one WorkerRequest over IPC and gets progress, then a result or an error.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isUserError } from '../errors.js';
import { loadOrt, readNpy, resolveInputs } from '../tensors/index.js';
import { measurePaired } from './paired-worker.js';
import { summarizeProfile } from './profile.js';
import type { PairedMessage, PairedRequest, WorkerMessage, WorkerRequest, WorkerResult } from './protocol.js';
import { batchInputs, buildFeeds, createSession, inputMeta, rejectedInputs } from './session.js';

function send(msg: WorkerMessage | PairedMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()));
}

async function measure(req: WorkerRequest): Promise<WorkerResult> {
  const ort = loadOrt();
  const npy = new Map<string, ReturnType<typeof readNpy>>();
  for (const [name, src] of Object.entries(req.inputs.data ?? {})) {
    if (src.kind === 'npy') npy.set(name, readNpy(src.path));
  }
  let profileDir: string | undefined;
  if (req.profileDir) profileDir = mkdtempSync(join(req.profileDir, 'ort-profile-'));

  const baselineRssBytes = process.memoryUsage().rss;
  const t0 = performance.now();
  const session = await createSession(ort, req.model, req.session, profileDir ? { profilePrefix: join(profileDir, 'profile') } : {});
  const loadMs = performance.now() - t0;
  await send({ type: 'progress', phase: 'load', done: 1, elapsedMs: loadMs });

  const dataShapes = Object.fromEntries([...npy].map(([name, arr]) => [name, arr.shape]));
  const resolved = resolveInputs(inputMeta(ort, session), req.inputs, dataShapes);
  const { samplesPerQuery } = req.run;
  const batched = batchInputs(resolved, samplesPerQuery);
  const inputs = batched ?? resolved;
  const runsPerQuery = batched ? 1 : samplesPerQuery;
  const feeds = buildFeeds(ort, inputs, npy, req.run.seed);

  // One query: what a user of the model would time around session.run.
  const query = async (): Promise<number> => {
    const start = performance.now();
    for (let r = 0; r < runsPerQuery; r++) await session.run(feeds);
    return performance.now() - start;
  };

  let firstRunMs: number;
  try {
    firstRunMs = await query();
  } catch (e) {
    throw rejectedInputs(inputs, e);
  }
  const warmStart = performance.now();
  for (let i = 0; i < req.run.warmup; i++) {
    await query();
    if (i % 10 === 9) await send({ type: 'progress', phase: 'warmup', done: i + 1, elapsedMs: performance.now() - warmStart });
  }

  const { minIterations, maxIterations, minDurationMs, maxDurationMs } = req.run;
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let lastReport = start;
  let elapsed = 0;
  for (;;) {
    samples.push(await query());
    elapsed = performance.now() - start;
    const n = samples.length;
    if ((n >= minIterations && elapsed >= minDurationMs) || elapsed >= maxDurationMs || (maxIterations > 0 && n >= maxIterations)) break;
    if (elapsed - (lastReport - start) >= 250) {
      lastReport = performance.now();
      await send({ type: 'progress', phase: 'measure', done: n, elapsedMs: elapsed });
    }
  }

  const cpu = process.cpuUsage(cpu0);
  let profile: WorkerResult['profile'];
  if (profileDir) {
    (session as unknown as { endProfiling(): void }).endProfiling();
    const file = readdirSync(profileDir).find((f) => f.endsWith('.json'));
    if (file) profile = summarizeProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), (samples.length + 1 + req.run.warmup) * runsPerQuery);
    rmSync(profileDir, { recursive: true, force: true });
  }
  await session.release();

  return {
    runtimeVersion: ort.env.versions.node ?? ort.env.versions.common,
    inputs,
    queryMode: samplesPerQuery <= 1 ? 'single' : batched ? 'batched' : 'sequential',
    loadMs,
    firstRunMs,
    samples,
    ...(profileDir ? {} : { cpuMs: (cpu.user + cpu.system) / 1000 / samples.length }),
    durationMs: elapsed,
    baselineRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    profile,
  };
}

process.once('message', (req: WorkerRequest | PairedRequest) => {
  const job = 'kind' in req && req.kind === 'paired' ? measurePaired(req, send) : measure(req as WorkerRequest).then((result) => send({ type: 'result', result }));
  job
    .catch((e: unknown) =>
      send({ type: 'error', user: isUserError(e), message: isUserError(e) ? e.message : (e instanceof Error ? e.stack ?? e.message : String(e)) }),
    )
    .finally(() => process.disconnect?.());
});
