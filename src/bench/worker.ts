// One measurement in a fresh process: load the model, build inputs, warm up, time queries.
// The parent sends one WorkerRequest over IPC and gets progress, then a result or an error.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UserError, isUserError, oneLine } from '../errors.js';
import { constantData, npyForInput, randomData, readNpy, rng, type TensorData } from './data.js';
import { elementCount, resolveInputs, type InputMeta, type ResolvedInput } from './inputs.js';
import { loadOrt, type OrtModule } from './ort.js';
import { summarizeProfile } from './profile.js';
import type { WorkerMessage, WorkerRequest, WorkerResult } from './protocol.js';

type Session = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;
type Feeds = Record<string, InstanceType<OrtModule['Tensor']>>;

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(msg, () => resolve()) : resolve()));
}

function modelError(model: string, e: unknown): UserError {
  const msg = oneLine(e);
  if (/protobuf parsing failed|invalid model|ModelProto|No graph|flatbuffer|Failed to load model/i.test(msg)) {
    return new UserError(`${model}: not a valid ONNX or ORT model (${msg}); check that the file is a complete export`);
  }
  if (/opset|not implemented|NOT_IMPLEMENTED|Could not find an implementation/i.test(msg)) {
    return new UserError(`${model}: this ONNX Runtime cannot run it (${msg}); use a newer onnxruntime-node or re-export with a supported opset`);
  }
  return new UserError(`${model}: ONNX Runtime could not load it (${msg})`);
}

async function createSession(ort: OrtModule, req: WorkerRequest, profilePrefix?: string): Promise<Session> {
  const ep = req.session.executionProvider;
  const available = ort.listSupportedBackends().map((b) => b.name);
  if (!available.includes(ep)) {
    throw new UserError(`--ep ${ep}: unknown execution provider; this onnxruntime-node offers ${available.join(', ')}`);
  }
  const options: Parameters<OrtModule['InferenceSession']['create']>[1] = {
    executionProviders: [ep],
    graphOptimizationLevel: req.session.optLevel,
    logSeverityLevel: 3,
    ...(req.session.threads > 0 ? { intraOpNumThreads: req.session.threads } : {}),
    ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
  };
  try {
    return await ort.InferenceSession.create(req.model, options);
  } catch (e) {
    if (ep !== 'cpu' && /provider|cuda|tensorrt|webgpu|dawn|adapter|\.so|dll|dylib/i.test(oneLine(e))) {
      throw new UserError(`--ep ${ep}: the execution provider could not start here (${oneLine(e)}); use --ep cpu or install its libraries`);
    }
    throw modelError(req.model, e);
  }
}

function inputMeta(ort: OrtModule, session: Session): InputMeta[] {
  // Input types and shapes are exposed from onnxruntime-node 1.21 on.
  const meta = (session as unknown as { inputMetadata?: InputMeta[] }).inputMetadata;
  if (!meta) {
    throw new UserError(`onnxruntime-node ${ort.env.versions.node ?? ''} does not report input shapes; use version 1.21 or newer`);
  }
  return meta;
}

/** Query mode: a multi-sample query is one batched run where every input has a free batch dim. */
function batchInputs(inputs: ResolvedInput[], samples: number): ResolvedInput[] | null {
  if (samples <= 1) return null;
  const random = inputs.filter((i) => i.source !== 'npy');
  if (random.length !== inputs.length || inputs.some((i) => i.batchAxis === null)) return null;
  return inputs.map((i) => ({ ...i, shape: i.shape.map((d, axis) => (axis === i.batchAxis ? samples : d)) }));
}

function buildFeeds(ort: OrtModule, inputs: ResolvedInput[], npy: Map<string, ReturnType<typeof readNpy>>, seed: number): Feeds {
  const next = rng(seed);
  const feeds: Feeds = {};
  for (const input of inputs) {
    const count = elementCount(input.shape);
    let data: TensorData;
    if (input.source === 'npy') data = npyForInput(npy.get(input.name)!, input);
    else if (input.source === 'value') data = constantData(input.type, count, input.value!);
    else data = randomData(input.type, count, next);
    feeds[input.name] = new ort.Tensor(input.type as 'float32', data as Float32Array, input.shape);
  }
  return feeds;
}

function rejectedInputs(inputs: ResolvedInput[], e: unknown): UserError {
  const shapes = inputs.map((i) => `${i.name}=${i.shape.join('x') || 'scalar'}`).join(' ');
  // Random scalars are the usual culprit (a sample rate, a length): name them with the fix.
  const scalars = inputs.filter((i) => i.source === 'random' && i.shape.length === 0).map((i) => `--data ${i.name}=<value>`);
  const hint = scalars.length ? `; the scalar inputs got random values, give real ones with ${scalars.join(' ')}` : '';
  return new UserError(
    `the model rejected its inputs (${shapes}): ${oneLine(e)}${hint}; fix the shapes with --input NAME=AxBxC or the values with --data NAME=file.npy|number`,
  );
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
  const session = await createSession(ort, req, profileDir ? join(profileDir, 'profile') : undefined);
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
    durationMs: elapsed,
    baselineRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    profile,
  };
}

process.once('message', (req: WorkerRequest) => {
  measure(req)
    .then((result) => send({ type: 'result', result }))
    .catch((e: unknown) =>
      send({ type: 'error', user: isUserError(e), message: isUserError(e) ? e.message : (e instanceof Error ? e.stack ?? e.message : String(e)) }),
    )
    .finally(() => process.disconnect?.());
});
