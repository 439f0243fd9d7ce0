// The paired measurement, inside one process: base and head sessions side by side, the same input
// tensors fed to both, timed in short batches whose order inside each pair is drawn at random, so
// that whatever else the machine does at that moment hits both arms alike. Streams the pairs to
// the parent, which decides when it has seen enough ('stop').
import { performance } from 'node:perf_hooks';
import { loadOrt, readNpy, type ResolvedInput, resolveInputs, rng } from '../tensors/index.js';
import type { PairedBatch, PairedMessage, PairedRequest, ParentMessage } from './protocol.js';
import { batchInputs, buildFeeds, createSession, inputMeta, rejectedInputs, type Feeds, type Session } from './session.js';

/** Queries timed of each arm to size the batches. */
const PROBE_QUERIES = 3;
/** The warm-up of both arms together ends after this long (or --warmup queries each). */
const WARMUP_MS = 500;
/** How often pairs are sent to the parent. */
const SEND_EVERY_MS = 200;

const describe = (inputs: ResolvedInput[]) => inputs.map((i) => `${i.name}:${i.type}[${i.shape.join('x')}]`).join(' ');

function percentileOf(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * (s[Math.min(s.length - 1, lo + 1)] - s[lo]);
}

export async function measurePaired(req: PairedRequest, send: (m: PairedMessage) => Promise<void>): Promise<void> {
  let stop = false;
  let go: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (go = resolve));
  if (!req.hold) go();
  process.on('message', (m: ParentMessage) => {
    if (m?.type === 'stop') stop = true;
    if (m?.type === 'stop' || m?.type === 'go') go();
  });
  const ort = loadOrt();
  const npy = new Map<string, ReturnType<typeof readNpy>>();
  for (const [name, src] of Object.entries(req.inputs.data ?? {})) if (src.kind === 'npy') npy.set(name, readNpy(src.path));
  const dataShapes = Object.fromEntries([...npy].map(([name, arr]) => [name, arr.shape]));

  const sessions = {} as Record<'base' | 'head', Session>;
  for (const arm of req.loadFirst === 'head' ? (['head', 'base'] as const) : (['base', 'head'] as const)) {
    sessions[arm] = await createSession(ort, req[arm], req.session, { noSpinning: true });
  }
  const { samplesPerQuery } = req.run;
  const resolve = (s: Session) => {
    const r = resolveInputs(inputMeta(ort, s), req.inputs, dataShapes);
    const batched = batchInputs(r, samplesPerQuery);
    return { inputs: batched ?? r, runsPerQuery: batched ? 1 : samplesPerQuery };
  };
  const { inputs, runsPerQuery } = resolve(sessions.base);
  const headInputs = resolve(sessions.head).inputs;
  if (describe(inputs) !== describe(headInputs)) {
    await send({ type: 'unpairable', reason: `base and head take different inputs (base ${describe(inputs)}, head ${describe(headInputs)}), so they cannot get the same tensors` });
    return;
  }
  // One set of tensors for both arms: identical inputs, by construction.
  const feeds: Feeds = buildFeeds(ort, inputs, npy, req.run.seed);
  const query = async (arm: 'base' | 'head'): Promise<number> => {
    const start = performance.now();
    for (let r = 0; r < runsPerQuery; r++) await sessions[arm].run(feeds);
    return performance.now() - start;
  };

  for (const arm of ['base', 'head'] as const) {
    try {
      await query(arm);
    } catch (e) {
      throw rejectedInputs(inputs, e);
    }
  }
  // Every block is a fresh process and needs its own warm-up, but a session is steady after its first
  // queries and the probe below runs PROBE_QUERIES more of each: the warm-up stops after --warmup
  // queries or WARMUP_MS of both arms, whichever comes first. (Ten ResNet-18 queries per arm took
  // 4-5 s of a 12 s block on a busy 2-core machine: fewer blocks, so fewer rounds for the test.)
  const warmStart = performance.now();
  for (let i = 0; i < req.run.warmup && performance.now() - warmStart < WARMUP_MS; i++) for (const arm of ['base', 'head'] as const) await query(arm);
  // Batch length from a few timed queries of each: about batchMs, at least one query. A model slower
  // than that gets one query per batch: more pairs, each closer in time.
  const probe: Record<'base' | 'head', number[]> = { base: [], head: [] };
  for (let i = 0; i < PROBE_QUERIES; i++) for (const arm of ['base', 'head'] as const) probe[arm].push(await query(arm));
  const queryMs = { base: percentileOf(probe.base, 0.5), head: percentileOf(probe.head, 0.5) };
  const perQuery = Math.max(1e-3, (queryMs.base + queryMs.head) / 2);
  const queriesPerBatch = Math.min(100_000, Math.max(1, Math.ceil(req.batchMs / perQuery)));
  await send({ type: 'ready', runtimeVersion: ort.env.versions.node ?? ort.env.versions.common, inputs, queriesPerBatch, queryMs });
  if (req.hold) {
    // Standby: the process before this one is timing its pairs. Once it is done, one untimed query
    // of each arm brings the sessions back into the caches the other process used.
    await gone;
    if (!stop) for (const arm of ['base', 'head'] as const) await query(arm);
  }

  const coin = rng((req.run.seed ^ Date.now()) >>> 0);
  const batch = async (arm: 'base' | 'head') => {
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < queriesPerBatch; i++) times.push(await query(arm));
    const cpu = process.cpuUsage(cpu0);
    return { p50: percentileOf(times, 0.5), p90: percentileOf(times, 0.9), cpu: (cpu.user + cpu.system) / 1000 / times.length, iterations: times.length };
  };
  const started = performance.now();
  let pending: PairedBatch[] = [];
  let lastSend = started;
  while (!stop && performance.now() - started < req.run.maxDurationMs) {
    const first = coin() < 0.5 ? 'base' : 'head';
    const second = first === 'base' ? 'head' : 'base';
    const a = await batch(first);
    const b = await batch(second);
    pending.push(first === 'base' ? { first, base: a, head: b } : { first, base: b, head: a });
    if (performance.now() - lastSend >= SEND_EVERY_MS) {
      await send({ type: 'pairs', pairs: pending });
      pending = [];
      lastSend = performance.now();
    }
  }
  if (pending.length && !stop) await send({ type: 'pairs', pairs: pending });
  await sessions.base.release();
  await sessions.head.release();
  await send({ type: 'done' });
}
