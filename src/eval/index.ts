// Accuracy of a model on labelled samples (top-1, top-5, MAE, RMSE), and its fidelity to a
// reference model on the same inputs. Batched; the first model output is the prediction.
import {
  calibrationSet, compareOutputs, type Feeds, inputMetaOf, nonFiniteOutput, type Outputs, readNpy, runOutputs,
} from '../tensors/index.js';
import { UserError } from '../errors.js';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { inspectModelFile, sha256File } from '../model/index.js';
import type { DatasetRef } from '../results/index.js';
import { imageSet } from './image-set.js';
import { METRICS, type EvalOptions, type EvalResults, type Metric } from './types.js';
import { VERSION } from '../version.js';

export * from './types.js';

export function parseMetrics(raw: string[]): Metric[] {
  const list = raw.flatMap((r) => r.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const m of list) if (!(METRICS as readonly string[]).includes(m)) throw new UserError(`--metric ${m}: unknown metric; use ${METRICS.join(', ')}`);
  return [...new Set(list)] as Metric[];
}

/** `--inputs [NAME=]file.npy` flags; '' names the model's only input. */
export function parseInputFlags(raw: string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const r of raw) {
    const at = r.indexOf('=');
    if (at > 0) inputs[r.slice(0, at)] = r.slice(at + 1);
    else inputs[''] = r;
  }
  return inputs;
}

function labelsOf(file: string, samples: number): Float64Array {
  const arr = readNpy(file);
  if (!['i8', 'i4', 'i2', 'i1', 'u1', 'u2', 'u4', 'u8', 'f4', 'f8'].includes(arr.dtype)) {
    throw new UserError(`--labels ${file}: dtype '${arr.dtype}' is not numeric; save class ids as int64 or targets as float32`);
  }
  if (arr.shape[0] !== samples) {
    throw new UserError(`--labels ${file}: holds ${arr.shape[0]} labels for ${samples} input samples; give one label row per sample`);
  }
  const data = arr.data as unknown as ArrayLike<number | bigint>;
  const labels = Float64Array.from({ length: data.length }, (_, i) => Number(data[i]));
  // A NaN or infinite target is no class id, and would make MAE and RMSE NaN or infinite.
  const bad = labels.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const per = labels.length / samples;
    throw new UserError(`--labels ${file}: holds ${labels[bad]} at index ${bad} (sample ${Math.floor(bad / per)}); labels must be finite numbers: fix or drop that sample, and save the file again`);
  }
  return labels;
}

/**
 * Rank of the label among the scores of one row (0 = the top answer). The row must be finite:
 * every comparison with NaN is false, so a NaN score would rank first.
 */
function rankOf(scores: Float32Array, start: number, n: number, label: number): number {
  const s = scores[start + label];
  let rank = 0;
  for (let i = 0; i < n; i++) if (scores[start + i] > s) rank++;
  return rank;
}

/**
 * Scores a model's first float32 output against the labels. An output that is NaN or infinite
 * in any row is refused, naming `model`, the output and where: no accuracy, error or rank is
 * measurable there, and counting such a row as right (NaN compares false) or dropping it would
 * report a number the model did not earn. The same rule as optimize for the model it compares with.
 */
export function metricsOf(outputs: Outputs, labels: Float64Array, metrics: Metric[], model: string): Partial<Record<Metric, number>> {
  const first = Object.keys(outputs[0] ?? {})[0];
  if (!first) throw new UserError('the model has no float32 output to score');
  const scored = nonFiniteOutput(outputs.map((batch) => ({ [first]: batch[first] })));
  if (scored) {
    throw new UserError(`--model ${model}: ${scored} on the eval data, so its accuracy is not measurable; fix the model, or give data it answers with finite numbers`);
  }
  let row = 0;
  let top1 = 0;
  let top5 = 0;
  let abs = 0;
  let sq = 0;
  let count = 0;
  const classify = metrics.includes('top1') || metrics.includes('top5');
  for (const batch of outputs) {
    const { data, dims } = batch[first];
    const rows = dims[0] ?? 1;
    const per = data.length / rows;
    for (let r = 0; r < rows; r++, row++) {
      if (classify) {
        const label = labels[row];
        if (!Number.isInteger(label) || label < 0 || label >= per) {
          throw new UserError(`--labels: label ${label} of sample ${row} is not a class index of the model's ${per} outputs`);
        }
        const rank = rankOf(data, r * per, per, label);
        if (rank === 0) top1++;
        if (rank < 5) top5++;
      } else {
        const perLabel = labels.length / (outputs.reduce((a, b) => a + (b[first].dims[0] ?? 1), 0));
        if (perLabel !== per) throw new UserError(`--labels: ${perLabel} values per sample, but the model outputs ${per}; save labels shaped like the output`);
        for (let i = 0; i < per; i++) {
          const d = data[r * per + i] - labels[row * per + i];
          abs += Math.abs(d);
          sq += d * d;
          count++;
        }
      }
    }
  }
  const out: Partial<Record<Metric, number>> = {};
  if (metrics.includes('top1')) out.top1 = top1 / row;
  if (metrics.includes('top5')) out.top5 = top5 / row;
  if (metrics.includes('mae')) out.mae = abs / count;
  if (metrics.includes('rmse')) out.rmse = Math.sqrt(sq / count);
  return out;
}

/** Names and hashes the data an evaluation ran on, so a result can say what it was measured on. */
export async function datasetRef(files: Record<string, string>, samples: number, labels?: string): Promise<DatasetRef> {
  const names = Object.keys(files).sort();
  const hashes = await Promise.all(names.map((n) => sha256File(files[n])));
  const single = names.length === 1;
  return {
    path: single ? resolve(files[names[0]]) : names.map((n) => `${n}=${resolve(files[n])}`).join(','),
    sha256: single ? hashes[0] : createHash('sha256').update(names.map((n, i) => `${n} ${hashes[i]}\n`).join('')).digest('hex'),
    samples,
    ...(labels ? { labels: { path: resolve(labels), sha256: await sha256File(labels) } } : {}),
  };
}

/**
 * Whether .npy samples fit a model's inputs (one file per input, N samples along the first axis),
 * checked without running the model; the UserError says why not. `''` is the model's only input.
 */
export async function checkInputsFit(model: string, inputs: Record<string, string>): Promise<void> {
  const meta = await inputMetaOf(model);
  const files = { ...inputs };
  if (files[''] !== undefined) {
    if (meta.length !== 1) throw new UserError(`the model has ${meta.length} inputs (${meta.map((m) => m.name).join(', ')}), the dataset one file`);
    files[meta[0].name] = files[''];
    delete files[''];
  }
  calibrationSet(meta, files, 64);
}

export async function evaluate(opts: EvalOptions, onBatch?: (done: number, total: number) => void): Promise<EvalResults> {
  if (!opts.labels && !opts.reference && !opts.images) throw new UserError('give --labels (accuracy) or --reference (fidelity), or both');
  if ((opts.labels || opts.images) && !opts.metrics.length) throw new UserError(`--metric: give one of ${METRICS.join(', ')} with --labels or --dataset`);
  const file = await inspectModelFile(opts.model);
  // A missing reference is found before the evaluation, not after it.
  const ref = opts.reference ? await inspectModelFile(opts.reference) : undefined;
  const meta = await inputMetaOf(file.path);
  let batches: () => Feeds[] | AsyncIterable<Feeds>;
  let samples: number;
  let total: number;
  let labels: () => Float64Array;
  let dataset: () => Promise<DatasetRef>;
  if (opts.images) {
    const set = imageSet(meta, opts.images.manifest, opts.images.preprocess, opts.batchSize);
    ({ samples, total } = set);
    batches = set.batches;
    labels = set.labels;
    dataset = async () => ({ path: resolve(opts.images!.manifest), sha256: set.sha256(), samples });
  } else {
    const files = { ...opts.inputs };
    if (files[''] !== undefined) {
      if (meta.length !== 1) throw new UserError(`--inputs: the model has ${meta.length} inputs; give NAME=file.npy for each`);
      files[meta[0].name] = files[''];
      delete files[''];
    }
    const set = calibrationSet(meta, files, opts.batchSize);
    samples = set.samples;
    total = set.batches.length;
    batches = () => set.batches;
    labels = () => labelsOf(opts.labels!, samples);
    dataset = () => datasetRef(files, samples, opts.labels);
  }
  const progress = (i: number) => onBatch?.(i, total);
  const outputs = await runOutputs(file.path, batches(), 0, progress);
  // Labels are read (and checked, naming the file) before they are hashed.
  const metrics = opts.labels || opts.images ? metricsOf(outputs, labels(), opts.metrics, opts.model) : {};
  const results: EvalResults = {
    schema: { name: 'edgeml-eval', version: 1 },
    tool: { name: 'edgeml', version: VERSION },
    createdAt: new Date().toISOString(),
    model: { path: file.path, sha256: file.sha256, bytes: file.bytes },
    samples,
    dataset: await dataset(),
    metrics,
  };
  if (ref) {
    results.reference = { path: ref.path, sha256: ref.sha256 };
    results.fidelity = compareOutputs(await runOutputs(ref.path, batches()), outputs);
  }
  return results;
}

export { mergeEval, openResultsFor, writeEvalInto } from './results.js';
export { PREPROCESS_KEYS, parsePreprocess, type Preprocess, type PreprocessText } from './preprocess.js';
