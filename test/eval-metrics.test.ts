// The metrics of edgeml eval on hand-made outputs: top-1, top-5, MAE and RMSE, and a row that is
// NaN or infinite, which is never scored (comparisons with NaN are false: it would rank first).
import { describe, expect, it } from 'vitest';
import { metricsOf } from '../src/eval/index.js';
import type { Outputs } from '../src/tensors/index.js';

/** One batch of an output 'y' shaped [rows, per]. */
const batch = (per: number, data: number[]): Outputs[number] => ({ y: { data: Float32Array.from(data), dims: [data.length / per, per] } });

const refusal = (value: string, sample: number, index: number) =>
  `--model m.onnx: output 'y' is ${value} at sample ${sample}, index ${index} on the eval data, so its accuracy is not measurable; fix the model, or give data it answers with finite numbers`;

describe('metricsOf', () => {
  // Six classes; rows in two batches. Labels 0, 2, 5: ranks 0, 1, 5.
  const scores: Outputs = [
    batch(6, [0.9, 0.1, 0, 0, 0, 0, 0.2, 0.1, 0.5, 0.6, 0, 0]),
    batch(6, [0.5, 0.4, 0.3, 0.2, 0.1, 0]),
  ];
  const labels = Float64Array.from([0, 2, 5]);

  it('scores top-1 and top-5 by the rank of the label', () => {
    expect(metricsOf(scores, labels, ['top1', 'top5'], 'm.onnx')).toEqual({ top1: 1 / 3, top5: 2 / 3 });
  });

  it('scores MAE and RMSE over every value', () => {
    const out = [batch(2, [1, 2, 3, 4])];
    expect(metricsOf(out, Float64Array.from([1, 1, 1, 1]), ['mae', 'rmse'], 'm.onnx')).toEqual({ mae: 1.5, rmse: Math.sqrt(14 / 4) });
  });

  it.each([
    ['NaN in the label score of a row (it would rank first)', 1, 2, NaN, 'NaN'],
    ['NaN in another score of a row (it would never outrank the label)', 1, 3, NaN, 'NaN'],
    ['Infinity', 2, 0, Infinity, 'Infinity'],
    ['-Infinity', 0, 5, -Infinity, '-Infinity'],
  ])('refuses %s, naming the model, the output, the sample and the index', (_, sample, index, value, text) => {
    const bad = scores.map((b) => ({ y: { data: Float32Array.from(b.y.data), dims: b.y.dims } }));
    const at = sample * 6 + index;
    bad[at < 12 ? 0 : 1].y.data[at % 12] = value;
    for (const metric of ['top1', 'top5'] as const) {
      expect(() => metricsOf(bad, labels, [metric], 'm.onnx')).toThrow(refusal(text, sample, index));
    }
  });

  it('refuses a NaN or infinite regression output instead of an MAE and RMSE of NaN', () => {
    const out = [batch(2, [1, 2]), batch(2, [3, NaN])];
    expect(() => metricsOf(out, Float64Array.from([1, 1, 1, 1]), ['mae', 'rmse'], 'm.onnx')).toThrow(refusal('NaN', 1, 1));
    out[1].y.data[1] = -Infinity;
    expect(() => metricsOf(out, Float64Array.from([1, 1, 1, 1]), ['mae'], 'm.onnx')).toThrow(refusal('-Infinity', 1, 1));
  });

  it('scores only the first output: another output may hold NaN', () => {
    const out = scores.map((b) => ({ ...b, z: { data: Float32Array.from([NaN]), dims: [1] } }));
    expect(metricsOf(out, labels, ['top1'], 'm.onnx')).toEqual({ top1: 1 / 3 });
  });
});
