// fp16: float32 weights and compute become float16; the model's float32 inputs and outputs stay
// (Casts at the edges); ops on the block list stay float32 with Casts around them.
import { join } from 'node:path';
import {
  AttrType, DataType, attr, float16Tensor, floatValues, foldConstants, make, nameFactory, saveModel, subgraphs,
  type NodeProto, type TensorProto,
} from '../model/index.js';
import { probe } from './probe.js';
import { TargetError, nodeLabel, type TargetInput, type TargetOutput } from './types.js';

/** Ops that lose accuracy in fp16 or have no fp16 kernel worth having (after ORT's quantizer tools). */
export const FP16_BLOCK_OPS = [
  'Resize', 'Upsample', 'TopK', 'NonMaxSuppression', 'Range', 'CumSum', 'Min', 'Max', 'RoiAlign',
  'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'EyeLike', 'Multinomial', 'Bernoulli',
];

const FP16_MAX = 65504;
const FP16_MIN_POSITIVE = 5.96e-8;

/** Clips to what float16 holds: beyond ±65504 saturates, tiny non-zeros keep their sign. */
export function clipToFloat16(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    const a = Math.abs(x);
    if (a > FP16_MAX) out[i] = Math.sign(x) * FP16_MAX;
    else if (a > 0 && a < FP16_MIN_POSITIVE) out[i] = Math.sign(x) * FP16_MIN_POSITIVE;
    else out[i] = x;
  }
  return out;
}

function toHalf(t: TensorProto): TensorProto {
  const half = float16Tensor(t.name ?? '', t.dims.map(Number), clipToFloat16(floatValues(t)));
  return half;
}

export async function fp16(t: TargetInput): Promise<TargetOutput> {
  const model = t.model;
  foldConstants(model);
  const g = model.graph!;
  g.node.forEach((n, i) => {
    if (subgraphs(n).length) {
      throw new TargetError(`fp16: node ${nodeLabel(n, i)} holds sub-graphs, which the fp16 pass does not convert; leave fp16 out of --target for this model`, n.name || n.op_type);
    }
  });
  const { types } = await probe(model, t.samples.batches.slice(0, 1));
  const inits = new Map(g.initializer.map((x) => [x.name!, x]));
  const isFloat = (v: string) => (inits.has(v) ? inits.get(v)!.data_type === DataType.FLOAT : types.get(v) === 'float32');
  const blocked = new Set(t.settings.fp16BlockOps);
  // A node reading a constant float16 cannot hold (PP-OCR det has BatchNorm variances near 1e8)
  // stays float32: clipping those values would change what the node computes.
  const tooBig = new Set([...inits.values()].filter((x) => x.data_type === DataType.FLOAT && floatValues(x).some((v) => Math.abs(v) > FP16_MAX)).map((x) => x.name!));
  const half = (n: NodeProto) => !blocked.has(n.op_type) && (!n.domain || n.domain === 'ai.onnx') && !n.input.some((x) => tooBig.has(x));

  // Precision of every float value: its producer's (graph inputs and outputs stay float32).
  const prec = new Map<string, 'f16' | 'f32'>();
  for (const i of g.input) if (isFloat(i.name) && !inits.has(i.name)) prec.set(i.name, 'f32');
  const consumersHalf = new Map<string, boolean>();
  for (const n of g.node) for (const x of n.input) if (inits.has(x) && half(n)) consumersHalf.set(x, true);
  for (const [name, init] of inits) {
    if (init.data_type !== DataType.FLOAT) continue;
    if (consumersHalf.get(name)) {
      const idx = g.initializer.indexOf(init);
      g.initializer[idx] = toHalf(init);
      prec.set(name, 'f16');
    } else prec.set(name, 'f32');
  }
  for (const n of g.node) for (const o of n.output) if (o && types.get(o) === 'float32') prec.set(o, half(n) ? 'f16' : 'f32');

  const fresh = nameFactory(model);
  const casts = new Map<string, string>();
  const castTo = (value: string, to: 'f16' | 'f32', out: NodeProto[]): string => {
    const key = `${value}|${to}`;
    const hit = casts.get(key);
    if (hit) return hit;
    const name = fresh(`${value}_${to === 'f16' ? 'fp16' : 'fp32'}`);
    out.push(make.node({ op_type: 'Cast', name: fresh(`Cast_${name}`), input: [value], output: [name], attribute: [make.attribute({ name: 'to', type: AttrType.INT, i: to === 'f16' ? DataType.FLOAT16 : DataType.FLOAT })] }));
    casts.set(key, name);
    return name;
  };

  const nodes: NodeProto[] = [];
  let converted = 0;
  let keptForRange = 0;
  for (const n of g.node) {
    const want = half(n) ? 'f16' : 'f32';
    if (want === 'f32' && n.input.some((x) => tooBig.has(x))) keptForRange++;
    n.input = n.input.map((x) => (x && prec.has(x) && prec.get(x) !== want ? castTo(x, want, nodes) : x));
    if (want === 'f16') {
      converted++;
      if (n.op_type === 'Cast') {
        const to = attr(n, 'to');
        if (to && Number(to.i) === DataType.FLOAT) to.i = DataType.FLOAT16;
      }
      const value = attr(n, 'value');
      if (value?.t && value.t.data_type === DataType.FLOAT) value.t = toHalf(value.t);
    }
    nodes.push(n);
  }
  // Outputs computed in fp16 get a Cast back to float32 under their own name.
  for (const o of g.output) {
    if (prec.get(o.name) !== 'f16') continue;
    const inner = fresh(`${o.name}_fp16`);
    for (const n of nodes) n.output = n.output.map((x) => (x === o.name ? inner : x));
    for (const n of nodes) n.input = n.input.map((x) => (x === o.name ? inner : x));
    nodes.push(make.node({ op_type: 'Cast', name: fresh(`Cast_${o.name}`), input: [inner], output: [o.name], attribute: [make.attribute({ name: 'to', type: AttrType.INT, i: DataType.FLOAT })] }));
  }
  g.node = nodes;
  // Intermediate type annotations would now be wrong; ORT infers them again.
  g.value_info = [];
  const file = join(t.dir, `${t.stem}.fp16.onnx`);
  saveModel(model, file);
  return {
    file,
    precision: 'fp16',
    format: 'onnx',
    settings: { blockOps: [...blocked], keepIoTypes: true, clip: [FP16_MIN_POSITIVE, FP16_MAX] },
    notes: { nodesConverted: converted, nodesKeptForRange: keptForRange, casts: casts.size },
  };
}
