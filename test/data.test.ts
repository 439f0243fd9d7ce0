import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'npyjs';
import { describe, expect, it } from 'vitest';
import { constantData, npyForInput, randomData, readNpy, rng, toFloat16Bits } from '../src/tensors/index.js';
import { DIGITS, tempDir } from './helpers.js';

describe('input data', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = randomData('float32', 16, rng(1));
    expect(randomData('float32', 16, rng(1))).toEqual(a);
    expect(randomData('float32', 16, rng(2))).not.toEqual(a);
  });
  it('stays in a sensible range per dtype', () => {
    const f = randomData('float32', 1000, rng(3)) as Float32Array;
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThan(1);
    const i = randomData('int64', 1000, rng(3)) as BigInt64Array;
    expect([...i].every((v) => v >= 0n && v < 10n)).toBe(true);
    const b = randomData('bool', 1000, rng(3)) as Uint8Array;
    expect(new Set(b)).toEqual(new Set([0, 1]));
    const s = randomData('int8', 1000, rng(3)) as Int8Array;
    expect(Math.min(...s)).toBeLessThan(-100);
  });
  it('encodes float16 like numpy (round half to even, saturating)', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(5.960464477539063e-8)).toBe(0x0001);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie rounds to even
    expect(toFloat16Bits(0.1)).toBe(0x2e66);
  });
  it('fills constants in the input type', () => {
    expect(constantData('int64', 1, 16000)).toEqual(BigInt64Array.from([16000n]));
    expect(constantData('float16', 2, 1)).toEqual(Uint16Array.from([0x3c00, 0x3c00]));
  });
  it('reads a real .npy and checks its dtype against the input', () => {
    const arr = readNpy(join(DIGITS, 'test_inputs.npy'));
    expect(arr.shape).toEqual([540, 64]);
    const input = { name: 'pixels', type: 'float32', shape: [540, 64], batchAxis: null, source: 'npy' as const, file: 'test_inputs.npy' };
    expect((npyForInput(arr, input) as Float32Array).length).toBe(540 * 64);
    expect(() => npyForInput(arr, { ...input, type: 'int64' })).toThrow(
      "test_inputs.npy: dtype 'f4' does not match input 'pixels' (int64); save it as 'i8' (e.g. arr.astype(np.int64))",
    );
  });
  it('names the file and the fix for missing and broken .npy files', () => {
    const dir = tempDir();
    expect(() => readNpy(join(dir, 'missing.npy'))).toThrow(`${join(dir, 'missing.npy')}: no such file; check the path given to --data`);
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, 'not numpy at all');
    expect(() => readNpy(bad)).toThrow(/bad\.npy: not a readable \.npy file \(.*\); write it with numpy\.save/);
    const truncated = join(dir, 'short.npy');
    writeFileSync(truncated, Buffer.from(dump(new Float32Array(100), [10, 10])).subarray(0, 200));
    expect(() => readNpy(truncated)).toThrow(/short\.npy: not a readable \.npy file/);
  });
});
