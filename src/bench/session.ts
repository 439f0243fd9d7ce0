// What a measurement process does with ONNX Runtime: sessions, input metadata, feeds, and the
// messages for a model that will not load or rejects its inputs. Shared by the one-model
// measurement (worker.ts) and the paired one (paired-worker.ts).
import { UserError, oneLine } from '../errors.js';
import {
  constantData, elementCount, type InputMeta, npyForInput, type OrtModule, randomData, type readNpy, type ResolvedInput, rng, type TensorData,
} from '../tensors/index.js';
import type { SessionSettings } from './protocol.js';

export type Session = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;
export type Feeds = Record<string, InstanceType<OrtModule['Tensor']>>;


export function modelError(model: string, e: unknown): UserError {
  const msg = oneLine(e);
  if (/protobuf parsing failed|invalid model|ModelProto|No graph|flatbuffer|Failed to load model/i.test(msg)) {
    return new UserError(`${model}: not a valid ONNX or ORT model (${msg}); check that the file is a complete export`);
  }
  if (/opset|not implemented|NOT_IMPLEMENTED|Could not find an implementation/i.test(msg)) {
    return new UserError(`${model}: this ONNX Runtime cannot run it (${msg}); use a newer onnxruntime-node or re-export with a supported opset`);
  }
  return new UserError(`${model}: ONNX Runtime could not load it (${msg})`);
}

/**
 * `noSpinning`: idle intra-op threads sleep instead of spinning, so that in a paired measurement the
 * session that just ran does not take CPU from the one running now.
 */
export async function createSession(ort: OrtModule, model: string, session: SessionSettings, opts: { profilePrefix?: string; noSpinning?: boolean } = {}): Promise<Session> {
  const ep = session.executionProvider;
  const { profilePrefix } = opts;
  const available = ort.listSupportedBackends().map((b) => b.name);
  if (!available.includes(ep)) {
    throw new UserError(`--ep ${ep}: unknown execution provider; this onnxruntime-node offers ${available.join(', ')}`);
  }
  const options: Parameters<OrtModule['InferenceSession']['create']>[1] = {
    executionProviders: [ep],
    graphOptimizationLevel: session.optLevel,
    logSeverityLevel: 3,
    ...(session.threads > 0 ? { intraOpNumThreads: session.threads } : {}),
    ...(opts.noSpinning ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {}),
    ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
  };
  try {
    return await ort.InferenceSession.create(model, options);
  } catch (e) {
    if (ep !== 'cpu' && /provider|cuda|tensorrt|webgpu|dawn|adapter|\.so|dll|dylib/i.test(oneLine(e))) {
      throw new UserError(`--ep ${ep}: the execution provider could not start here (${oneLine(e)}); use --ep cpu or install its libraries`);
    }
    throw modelError(model, e);
  }
}

export function inputMeta(ort: OrtModule, session: Session): InputMeta[] {
  // Input types and shapes are exposed from onnxruntime-node 1.21 on.
  const meta = (session as unknown as { inputMetadata?: InputMeta[] }).inputMetadata;
  if (!meta) {
    throw new UserError(`onnxruntime-node ${ort.env.versions.node ?? ''} does not report input shapes; use version 1.21 or newer`);
  }
  return meta;
}

/** Query mode: a multi-sample query is one batched run where every input has a free batch dim. */
export function batchInputs(inputs: ResolvedInput[], samples: number): ResolvedInput[] | null {
  if (samples <= 1) return null;
  const random = inputs.filter((i) => i.source !== 'npy');
  if (random.length !== inputs.length || inputs.some((i) => i.batchAxis === null)) return null;
  return inputs.map((i) => ({ ...i, shape: i.shape.map((d, axis) => (axis === i.batchAxis ? samples : d)) }));
}

export function buildFeeds(ort: OrtModule, inputs: ResolvedInput[], npy: Map<string, ReturnType<typeof readNpy>>, seed: number): Feeds {
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

export function rejectedInputs(inputs: ResolvedInput[], e: unknown): UserError {
  const shapes = inputs.map((i) => `${i.name}=${i.shape.join('x') || 'scalar'}`).join(' ');
  // Random scalars are the usual culprit (a sample rate, a length): name them with the fix.
  const scalars = inputs.filter((i) => i.source === 'random' && i.shape.length === 0).map((i) => `--data ${i.name}=<value>`);
  const hint = scalars.length ? `; the scalar inputs got random values, give real ones with ${scalars.join(' ')}` : '';
  return new UserError(
    `the model rejected its inputs (${shapes}): ${oneLine(e)}${hint}; fix the shapes with --input NAME=AxBxC or the values with --data NAME=file.npy|number`,
  );
}
