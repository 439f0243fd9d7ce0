// An image dataset as evaluation batches: decoded and preprocessed batch by batch on demand (twice
// with a reference model), checked against the model's input shape before anything runs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Feeds, type InputMeta, loadOrt } from '../tensors/index.js';
import { UserError } from '../errors.js';
import { imageBatch, manifestLabels, readManifest, sampleShape } from './images.js';
import { outputSize, type Preprocess } from './preprocess.js';

export interface ImageSet {
  samples: number;
  total: number;
  batches(): AsyncIterable<Feeds>;
  labels(): Float64Array;
  /** Of the manifest and every image's bytes, in order (known once the batches have been read). */
  sha256(): string;
}

export function imageSet(meta: InputMeta[], manifest: string, p: Preprocess, batchSize: number): ImageSet {
  if (meta.length !== 1) throw new UserError(`--dataset ${manifest}: the model has ${meta.length} inputs; an image dataset feeds models with one image input`);
  const input = meta[0];
  if (input.type !== 'float32') throw new UserError(`--dataset ${manifest}: the model's input '${input.name}' is ${input.type}; image datasets feed float32 inputs`);
  const entries = readManifest(manifest);
  const size = outputSize(p);
  const want = input.shape.slice(1);
  if (input.shape.length !== 4) throw new UserError(`--dataset ${manifest}: the model's input '${input.name}' has shape [${input.shape.join(', ')}], not an image batch [N, C, H, W] or [N, H, W, C]`);
  const fixed = (d: unknown) => typeof d === 'number' && d > 0;
  const channelAxis = p.layout === 'NCHW' ? 0 : 2;
  if (fixed(want[channelAxis]) && want[channelAxis] !== 3) {
    throw new UserError(`--layout ${p.layout}: the model's input '${input.name}' [${input.shape.join(', ')}] has ${want[channelAxis]} channels there, not 3; give --layout ${p.layout === 'NCHW' ? 'NHWC' : 'NCHW'}`);
  }
  if (size) {
    const got = sampleShape(p, size[0], size[1]);
    if (got.some((d, i) => fixed(want[i]) && want[i] !== d)) {
      throw new UserError(`--${p.crop ? 'crop' : 'resize'}: preprocessing gives [${got.join(', ')}] per image, the model's input '${input.name}' takes [${want.join(', ')}]; give --crop ${want[channelAxis === 0 ? 1 : 0]}x${want[channelAxis === 0 ? 2 : 1]}`);
    }
  }
  const step = fixed(input.shape[0]) ? (input.shape[0] as number) : batchSize;
  const hash = createHash('sha256').update(readFileSync(manifest));
  let digest: string | undefined;
  const ort = loadOrt();
  return {
    samples: entries.length,
    total: Math.ceil(entries.length / step),
    async *batches() {
      const hashing = digest === undefined;
      for (let start = 0; start < entries.length; start += step) {
        const end = Math.min(start + step, entries.length);
        const b = imageBatch(entries, start, end, p, manifest);
        if (hashing) for (let i = start; i < end; i++) hash.update(readFileSync(entries[i].image));
        yield { [input.name]: new ort.Tensor('float32', b.data, b.shape) };
      }
      if (hashing) digest = hash.digest('hex');
    },
    labels: () => manifestLabels(entries, manifest),
    sha256: () => digest ?? '',
  };
}
