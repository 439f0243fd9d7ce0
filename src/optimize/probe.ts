// Seeing inside a model: every value of the main graph exposed as an output and run in ORT on real
// inputs. Gives the element type of each value (for fp16) and its observed values (calibration).
import type * as Ort from 'onnxruntime-node';
import { type Feeds, loadOrt } from '../tensors/index.js';
import { encodeModel, make, type ModelProto } from '../model/index.js';

export interface ProbeResult {
  /** ORT type name per value ('float32', 'int64', ...). */
  types: Map<string, string>;
}

/** Names of every value produced by a node of the main graph (graph outputs excluded). */
function producedValues(model: ModelProto): string[] {
  const g = model.graph!;
  const outputs = new Set(g.output.map((o) => o.name));
  const names: string[] = [];
  for (const n of g.node) for (const o of n.output) if (o && !outputs.has(o)) names.push(o);
  return names;
}

/** A copy of the model (sharing tensors) whose outputs include every intermediate value. */
function exposeAll(model: ModelProto, names: string[]): ModelProto {
  const g = model.graph!;
  const graph = { ...g, output: [...g.output, ...names.map((name) => make.valueInfo({ name }))], value_info: [] };
  return { ...model, graph } as ModelProto;
}

/**
 * Runs the model on each batch of feeds with every intermediate value as an output, and hands the
 * float32 values to `visit` batch by batch (so memory holds one batch of activations at a time).
 */
export async function probe(
  model: ModelProto,
  batches: Feeds[],
  visit?: (name: string, data: Float32Array) => void,
): Promise<ProbeResult> {
  const ort = loadOrt();
  const names = producedValues(model);
  const session = await ort.InferenceSession.create(encodeModel(exposeAll(model, names)), {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
  const types = new Map<string, string>();
  try {
    for (const feeds of batches) {
      const out: Record<string, Ort.Tensor> = await session.run(feeds);
      for (const [name, t] of Object.entries(out)) {
        types.set(name, t.type);
        if (visit && t.type === 'float32') visit(name, t.data as Float32Array);
      }
      for (const [name, t] of Object.entries(feeds)) {
        types.set(name, t.type);
        if (visit && t.type === 'float32') visit(name, t.data as Float32Array);
      }
    }
  } finally {
    await session.release();
  }
  return { types };
}
