// Shapes and element types of every value of the main graph, as ONNX Runtime computes them when
// the inputs are fixed: one run on seeded random inputs with every value exposed as an output.
import {
  constantData, elementCount, type InputMeta, type InputSpec, loadOrt, npyForInput, randomData, readNpy, type ResolvedInput, resolveInputs, rng,
} from '../tensors/index.js';
import { oneLine } from '../errors.js';
import { encodeModel, make, num, type ModelProto } from '../model/index.js';

const ORT_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};
const ONNX_TYPES: Record<string, number> = Object.fromEntries(Object.entries(ORT_TYPES).map(([k, v]) => [v, Number(k)]));

/** The main graph's inputs as the file declares them (initializers listed as inputs left out). */
export function declaredInputs(model: ModelProto): InputMeta[] {
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  return g.input.filter((v) => !inits.has(v.name)).map((v) => {
    const tt = v.type?.tensor_type;
    return {
      name: v.name,
      type: ORT_TYPES[tt?.elem_type ?? 0] ?? `type ${tt?.elem_type ?? '?'}`,
      isTensor: Boolean(tt),
      shape: (tt?.shape?.dim ?? []).map((d) => (d.dim_value !== undefined && d.dim_value !== null && num(d.dim_value) > 0 ? num(d.dim_value) : d.dim_param ?? '')),
    };
  });
}

/** Fixes the inputs as `--input`/`--dim` would; a dim still dynamic is a UserError naming it. */
export function fixInputs(model: ModelProto, spec: InputSpec): ResolvedInput[] {
  const dataShapes: Record<string, number[]> = {};
  for (const [name, src] of Object.entries(spec.data ?? {})) if (src.kind === 'npy') dataShapes[name] = readNpy(src.path).shape;
  return resolveInputs(declaredInputs(model), spec, dataShapes);
}

export type Observed = Map<string, { dims: number[]; elemType: number }>;

/** Runs the model once; on failure returns the reason (the static check still stands without shapes). */
export async function observeShapes(model: ModelProto, inputs: ResolvedInput[], seed = 1): Promise<Observed | string> {
  const ort = loadOrt();
  const g = model.graph!;
  const outputs = new Set(g.output.map((o) => o.name));
  const names = g.node.flatMap((n) => n.output).filter((o) => o && !outputs.has(o));
  const exposed = { ...model, graph: { ...g, output: [...g.output, ...names.map((name) => make.valueInfo({ name }))], value_info: [] } } as ModelProto;
  let session;
  try {
    session = await ort.InferenceSession.create(encodeModel(exposed), { graphOptimizationLevel: 'disabled', logSeverityLevel: 4 });
  } catch (e) {
    return `ONNX Runtime cannot load the model (${oneLine(e)})`;
  }
  try {
    const next = rng(seed);
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of inputs) {
      const n = elementCount(i.shape);
      const data = i.source === 'value' ? constantData(i.type, n, i.value!) : i.source === 'npy' ? npyForInput(readNpy(i.file!), i) : randomData(i.type, n, next);
      feeds[i.name] = new ort.Tensor(i.type as 'float32', data as Float32Array, i.shape);
    }
    const out = await session.run(feeds, { logSeverityLevel: 4 });
    const seen: Observed = new Map();
    for (const [name, t] of Object.entries(out)) seen.set(name, { dims: [...t.dims], elemType: ONNX_TYPES[t.type] ?? 0 });
    for (const i of inputs) seen.set(i.name, { dims: i.shape, elemType: ONNX_TYPES[i.type] ?? 0 });
    return seen;
  } catch (e) {
    return `ONNX Runtime could not run the model on its inputs (${oneLine(e)}); give real values with --data NAME=value|file.npy`;
  } finally {
    await session.release();
  }
}
