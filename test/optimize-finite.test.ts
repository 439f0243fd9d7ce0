// NaN and infinities: refused in the samples optimize and eval read (one line naming the file, the
// input and the index; nothing written), and said plainly when a model's outputs hold them
// instead of a cosine of 0 or an accuracy that counts a NaN row as right. Real runs of the digits MLP on its own calibration data, altered.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { belowFloor, compareOutputs, fidelityRecord, firstNonFinite, nonFiniteOutput, type Outputs, readNpy } from '../src/tensors/index.js';
import { collectArtifacts } from '../src/fleet/index.js';
import { readManifest } from '../src/optimize/index.js';
import { manifestMarkdown } from '../src/report/index.js';
import { DIGITS, MODELS, QUICK, edgeml, runActionBundle, tempDir } from './helpers.js';
import { writeNpy } from './npy.js';

/** The digits calibration samples (200 x 64) with `change` applied, saved as a new .npy. */
function calibWith(change: (x: Float32Array) => void): string {
  const x = Float32Array.from(readNpy(join(DIGITS, 'calib_inputs.npy')).data as unknown as Float32Array);
  change(x);
  const file = join(tempDir(), 'calib.npy');
  writeNpy(file, x, [200, 64]);
  return file;
}

const refusal = (file: string, value: string, index: number) =>
  `${file}: input 'pixels' holds ${value} at index ${index} (sample ${Math.floor(index / 64)}); samples must be finite numbers: replace it (e.g. numpy.nan_to_num) or drop that sample, and save the file again`;

describe('non-finite samples', () => {
  it.each([['NaN', 70], ['Infinity', 7 * 64 + 3], ['-Infinity', 199 * 64 + 63]])(
    'edgeml optimize refuses %s in calibration data: exit 2, one line, no folder, no manifest', (value, index) => {
      const data = calibWith((x) => { x[index] = Number(value); });
      const dir = tempDir();
      const out = join(dir, 'out');
      const json = join(dir, 'manifest.json');
      const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized,int8-static', '--out', out, '--calibration', `pixels=${data}`, '--json', json]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([`edgeml: error: ${refusal(data, value, index)}`]);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(existsSync(json)).toBe(false);
    });

  it('the optimize action fails the step with one ::error:: line and writes nothing', () => {
    const data = calibWith((x) => { x[70] = NaN; });
    const r = runActionBundle('optimize', { model: MODELS.digits, target: 'int8-static', calibration: `pixels=${data}`, upload: 'false' });
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([`::error::${refusal(data, 'NaN', 70)}`]);
    expect(existsSync(join(r.dir, 'edgeml-artifacts'))).toBe(false);
    expect(r.outputs).toEqual({});
  });

  it('edgeml eval reads its inputs through the same loader: the same refusal', () => {
    const data = calibWith((x) => { x[130] = NaN; });
    const json = join(tempDir(), 'eval.json');
    const r = edgeml(['eval', '--model', MODELS.digits, '--inputs', data, '--reference', MODELS.digits, '--json', json]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`edgeml: error: ${refusal(data, 'NaN', 130)}`]);
    expect(existsSync(json)).toBe(false);
  });

  it('edgeml bench --data takes NaN: it times the model, and an input may mean "missing" by NaN', () => {
    const data = calibWith((x) => { x[70] = NaN; });
    const r = edgeml(['bench', MODELS.digits, '--data', `pixels=${data}`, ...QUICK]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('finds NaN and infinities in float32, float64 and float16 (by its bits); integers are always finite', () => {
    expect(firstNonFinite(Float32Array.from([0, 1, NaN]), 'float32')).toEqual({ index: 2, value: 'NaN' });
    expect(firstNonFinite(Float64Array.from([1e308, -Infinity]), 'float64')).toEqual({ index: 1, value: '-Infinity' });
    expect(firstNonFinite(Uint16Array.from([0x3c00, 0x7bff, 0x7c00]), 'float16')).toEqual({ index: 2, value: 'Infinity' });
    expect(firstNonFinite(Uint16Array.from([0xfc00]), 'float16')).toEqual({ index: 0, value: '-Infinity' });
    expect(firstNonFinite(Uint16Array.from([0x7e00]), 'float16')).toEqual({ index: 0, value: 'NaN' });
    expect(firstNonFinite(Uint16Array.from([0x7c00]), 'uint16')).toBeNull();
    expect(firstNonFinite(Float32Array.from([0, 3.4e38]), 'float32')).toBeNull();
  });
});

describe('non-finite outputs', () => {
  it('finite data the model overflows on: optimize says which output and where, exit 2, nothing written', () => {
    // Every value is a finite float32; the MLP's sums are not.
    const data = calibWith((x) => { for (let i = 0; i < x.length; i++) x[i] *= 1e37; });
    const out = join(tempDir(), 'out');
    const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized', '--out', out, '--calibration', `pixels=${data}`]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^edgeml: error: --model ${MODELS.digits}: output 'output' is (NaN|-?Infinity) at sample \\d+, index \\d+ on the calibration data, so no artifact can be compared with it; fix the model, or give data it answers with finite numbers$`));
    expect(existsSync(out)).toBe(false);

    // edgeml eval measures no fidelity there either, and says why instead of a cosine of 0.
    const json = join(tempDir(), 'eval.json');
    const e = edgeml(['eval', '--model', MODELS.digits, '--inputs', data, '--reference', MODELS.digits, '--json', json]);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^fidelity vs .+: not measurable, the reference's output 'output' is (NaN|-?Infinity) at sample \d+, index \d+$/m);
    expect(e.stdout).not.toMatch(/cosine/);
    expect(JSON.parse(readFileSync(json, 'utf8')).fidelity).toMatchObject({ cosine: 0, maxAbsError: null, nonFinite: expect.stringMatching(/^the reference's output 'output' is /) });
  });

  it('a sample the model overflows on: edgeml eval --labels scores nothing, exit 2, one line naming the output and sample', () => {
    // The 540 labelled test samples, finite, but sample 3 scaled so far that the MLP's sums are not.
    const x = Float32Array.from(readNpy(join(DIGITS, 'test_inputs.npy')).data as unknown as Float32Array);
    for (let i = 3 * 64; i < 4 * 64; i++) x[i] = (x[i] + 1) * 1e37;
    const data = join(tempDir(), 'test.npy');
    writeNpy(data, x, [540, 64]);
    const json = join(tempDir(), 'eval.json');
    const r = edgeml(['eval', '--model', MODELS.digits, '--inputs', data, '--labels', join(DIGITS, 'test_labels.npy'), '--metric', 'top1,top5', '--json', json]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^edgeml: error: --model ${MODELS.digits}: output 'output' is (NaN|-?Infinity) at sample 3, index \\d+ on the eval data, so its accuracy is not measurable; fix the model, or give data it answers with finite numbers$`));
    expect(existsSync(json)).toBe(false);
  });

  it('edgeml eval refuses NaN regression targets in --labels, naming the file, index and sample', () => {
    const labels = join(tempDir(), 'targets.npy');
    const y = new Float32Array(540 * 10);
    y[2 * 10 + 4] = NaN;
    writeNpy(labels, y, [540, 10]);
    const r = edgeml(['eval', '--model', MODELS.digits, '--inputs', join(DIGITS, 'test_inputs.npy'), '--labels', labels, '--metric', 'mae']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `edgeml: error: --labels ${labels}: holds NaN at index 24 (sample 2); labels must be finite numbers: fix or drop that sample, and save the file again`,
    ]);
  });

  const rows = (data: number[]) => ({ y: { data: Float32Array.from(data), dims: [2, 2] } });
  const ref: Outputs = [rows([0.5, 0.5, 0.25, 0.75]), rows([1, 0, 0, 1])];

  it('a row holding NaN agrees with no top-1 class, though NaN never compares greater', () => {
    // Row 0: NaN first, where a plain argmax would keep index 0 and agree with the reference.
    const f = compareOutputs([rows([1, 0, 0, 1])], [rows([Number.NaN, 0, 0, 1])]);
    expect(f.top1Agreement).toBe(0.5);
    expect(f.nonFinite).toBe("output 'y' is NaN at sample 0, index 0, where the reference gives 1");
  });

  it('compareOutputs names the first value that is not finite; such outputs fail whatever the floor', () => {
    const got: Outputs = [rows([0.5, 0.5, 0.25, 0.75]), rows([1, 0, 0, Infinity])];
    const f = compareOutputs(ref, got);
    expect(f).toEqual({ cosine: 0, maxAbsError: Infinity, top1Agreement: 1, samples: 4, nonFinite: "output 'y' is Infinity at sample 3, index 1, where the reference gives 1" });
    expect(belowFloor(f, { cosine: 0, top1Agreement: 0, absTolerance: Infinity })).toBe(f.nonFinite);
    // Documents have no Infinity and no room for the sentence: maxAbsError null says it.
    expect(fidelityRecord(f)).toEqual({ cosine: 0, maxAbsError: null, top1Agreement: 1, samples: 4 });
    expect(compareOutputs(got, ref).nonFinite).toBe("the reference's output 'y' is Infinity at sample 3, index 1");
    expect(nonFiniteOutput(got)).toBe("output 'y' is Infinity at sample 3, index 1");
    expect(nonFiniteOutput(ref)).toBeNull();
    const same = compareOutputs(ref, ref);
    expect(same).toEqual({ cosine: expect.closeTo(1, 12), maxAbsError: 0, top1Agreement: 1, samples: 4 });
    expect(belowFloor(same, { cosine: 0.99, top1Agreement: 0.95, absTolerance: 1e-4 })).toBeNull();
  });

  it('a manifest whose artifact has a null maxAbsError (another tool, an older edgeml) renders and is not published', async () => {
    const dir = tempDir();
    const file = join(dir, 'manifest.json');
    expect(edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized', '--out', dir, '--json', file]).status).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.artifacts[0].fidelity.maxAbsError = null;
    writeFileSync(file, JSON.stringify(doc));
    expect(manifestMarkdown(readManifest(file))).toContain('max abs err not finite');
    await expect(collectArtifacts({ manifest: file })).rejects.toThrow(
      `--manifest ${file}: artifact ort-optimized gave NaN or infinite outputs in validation (fidelity.maxAbsError is null); fix the model or the validation data, or pass --force to publish the other targets`,
    );
    await expect(collectArtifacts({ manifest: file, force: true })).rejects.toThrow(/no artifacts to publish/);
  });
});
