import { describe, expect, it } from 'vitest';
import { type InputMeta, parseDataFlag, parseDimFlag, parseShapeFlag, resolveInputs } from '../src/tensors/index.js';
import { UserError } from '../src/errors.js';

const ocr: InputMeta[] = [
  { name: 'x', type: 'float32', shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] },
];
const vadV5: InputMeta[] = [
  { name: 'input', type: 'float32', shape: ['', ''] },
  { name: 'state', type: 'float32', shape: [2, '', 128] },
  { name: 'sr', type: 'int64', shape: [] },
];
const vadLegacy: InputMeta[] = [
  { name: 'input', type: 'float32', shape: ['batch', 'sequence'] },
  { name: 'sr', type: 'int64', shape: [] },
  { name: 'h', type: 'float32', shape: [2, 'batch', 64] },
];

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('flag parsing', () => {
  it('reads shapes, dims and data sources', () => {
    expect(parseShapeFlag('x=1x3x224x224')).toEqual(['x', [1, 3, 224, 224]]);
    expect(parseShapeFlag('x=1,3,8')).toEqual(['x', [1, 3, 8]]);
    expect(parseShapeFlag('sr=scalar')).toEqual(['sr', []]);
    expect(parseShapeFlag('a=b=2x2')).toEqual(['a=b', [2, 2]]);
    expect(parseDimFlag('sequence=512')).toEqual(['sequence', 512]);
    expect(parseDataFlag('x=inputs.npy')).toEqual(['x', { kind: 'npy', path: 'inputs.npy' }]);
    expect(parseDataFlag('sr=16000')).toEqual(['sr', { kind: 'value', value: 16000 }]);
  });
  it.each([
    [() => parseShapeFlag('x'), '--input "x": expected NAME=VALUE, e.g. --input x=1x3x224x224'],
    [() => parseShapeFlag('x=1x0x3'), '--input x=1x0x3: the shape must be positive whole sizes'],
    [() => parseShapeFlag('x=1xHx3'), '--input x=1xHx3: the shape must be positive whole sizes'],
    [() => parseDimFlag('seq=-1'), '--dim seq=-1: the size must be a positive whole number'],
    [() => parseDataFlag('x=abc'), '--data x=abc: give a .npy file or a number'],
  ])('rejects bad flags with the fix (%#)', (fn, expected) => {
    expect(message(fn)).toContain(expected);
  });
});

describe('resolveInputs', () => {
  it('defaults an unnamed or generated first dim to batch 1 and asks for the others', () => {
    expect(message(() => resolveInputs(ocr, {}))).toBe(
      "input 'x' [p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2]: dim 2 is dynamic; give its size with --input x=1x3x<size>x<size>",
    );
    const [x] = resolveInputs(ocr, { shapes: { x: [1, 3, 48, 192] } });
    expect(x).toMatchObject({ name: 'x', shape: [1, 3, 48, 192], source: 'random', batchAxis: null });
  });
  it('takes --dim for named dims everywhere they appear and defaults batch-named dims', () => {
    const r = resolveInputs(vadLegacy, { dims: { sequence: 512 } });
    expect(r.map((i) => i.shape)).toEqual([[1, 512], [], [2, 1, 64]]);
    expect(r.map((i) => i.batchAxis)).toEqual([0, null, 1]);
    expect(message(() => resolveInputs(vadLegacy, {}))).toContain("dim 1 ('sequence') is dynamic; give its size with --input input=1x<size> or --dim sequence=<size>");
  });
  it('needs the whole shape for unnamed dims past the first (Silero v5 state)', () => {
    expect(message(() => resolveInputs(vadV5, { shapes: { input: [1, 512] } }))).toBe(
      "input 'state' [2, ?, 128]: dim 1 is dynamic; give its size with --input state=2x<size>x128",
    );
    const r = resolveInputs(vadV5, { shapes: { input: [1, 512], state: [2, 1, 128] }, data: { sr: { kind: 'value', value: 16000 } } });
    expect(r[2]).toMatchObject({ name: 'sr', shape: [], source: 'value', value: 16000 });
  });
  it('names unknown inputs and dims with what the model has', () => {
    expect(message(() => resolveInputs(ocr, { shapes: { image: [1, 3, 8, 8] } }))).toBe(
      "--input image=...: the model has no input named 'image'; its inputs are 'x'",
    );
    expect(message(() => resolveInputs(vadLegacy, { data: { audio: { kind: 'value', value: 1 } } }))).toContain(
      "--data audio=...: the model has no input named 'audio'; its inputs are 'input', 'sr', 'h'",
    );
    expect(message(() => resolveInputs(vadLegacy, { dims: { seq: 4 } }))).toBe(
      "--dim seq=...: the model has no dim named 'seq'; its named dims are 'batch', 'sequence'",
    );
  });
  it('refuses shapes that contradict the model', () => {
    expect(message(() => resolveInputs(ocr, { shapes: { x: [1, 3, 48] } }))).toBe(
      "--input x=1x3x48: input 'x' has 4 dims [p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2], got 3",
    );
    expect(message(() => resolveInputs(ocr, { shapes: { x: [1, 4, 48, 48] } }))).toContain(
      "input 'x' dim 1 is fixed at 3 in the model",
    );
  });
  it('takes the shape of a .npy file for its input', () => {
    const meta: InputMeta[] = [{ name: 'pixels', type: 'float32', shape: ['batch', 64] }];
    const [p] = resolveInputs(meta, { data: { pixels: { kind: 'npy', path: 'x.npy' } } }, { pixels: [540, 64] });
    expect(p).toMatchObject({ shape: [540, 64], source: 'npy', file: 'x.npy', batchAxis: null });
  });
});
