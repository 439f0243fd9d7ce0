// int8 on a transformer encoder (every weight pattern real exports have), the size and speed checks
// of validation, and inputs that are not calibration data (--data).
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { AttrType, DataType, floatTensor, loadModel, make, saveModel, type ModelProto } from '../src/model/index.js';
import { DEFAULT_SETTINGS, manifestProblem, optimize, relativizeManifest, type OptimizeManifest, type OptimizeOptions } from '../src/optimize/index.js';
import { DEFAULT_FLOOR } from '../src/tensors/index.js';
import { manifestMarkdown } from '../src/report/index.js';
import { HAVE_ONNX } from './broken-models.js';
import { MODELS, ROOT, edgeml, tempDir } from './helpers.js';
import { writeNpy } from './npy.js';

const TOKENS = join(ROOT, 'test/fixtures/encoder_tokens.npy');
/** The encoder's weights (make-encoder.py): every one must end up int8, none left in float. */
const WEIGHTS = ['embed.w', 'head.w', 'ff1.w.shared', ...[0, 1].flatMap((l) => ['q', 'k', 'v'].map((k) => `l${l}.${k}.w`).concat([`l${l}.o.wt`, `l${l}.ff2.wt`]))];

function options(model: string, out: string, more: Partial<OptimizeOptions> = {}): OptimizeOptions {
  return {
    model, targets: ['int8-dynamic'], out, calibration: {}, inputSpec: {}, floor: DEFAULT_FLOOR, settings: DEFAULT_SETTINGS, maxSamples: 512, quickSpeedMs: 300, ...more,
  };
}

function artifact(m: OptimizeManifest, target: string) {
  const a = m.artifacts.find((x) => x.target === target)!;
  expect(manifestProblem(JSON.parse(JSON.stringify(relativizeManifest(m, join(m.source.path, '..', 'manifest.json')))))).toBeNull();
  return a;
}

const floatInits = (m: ModelProto) => m.graph!.initializer.filter((t) => t.data_type === DataType.FLOAT).map((t) => t.name!);
const ops = (m: ModelProto, op: string) => m.graph!.node.filter((n) => n.op_type === op);

describe('int8 on a transformer encoder', () => {
  it('int8-dynamic quantizes every weight MatMul and Gemm (right, left, through Transpose, shared) and keeps no fp32 copy', async () => {
    const out = tempDir();
    const m = await optimize(options(MODELS.encoder, out, { calibration: { tokens: TOKENS } }));
    const a = artifact(m, 'int8-dynamic');
    expect(a.status, a.reason).toBe('ok');
    const model = loadModel(a.path!);
    // No MatMul or Gemm is left in float with a constant operand: all 13 weight products are int8.
    const constants = new Set(model.graph!.initializer.map((t) => t.name!));
    for (const n of [...ops(model, 'MatMul'), ...ops(model, 'Gemm')]) expect(n.input.some((x) => constants.has(x)), n.name).toBe(false);
    expect(ops(model, 'DynamicQuantizeMatMul')).toHaveLength(13);
    expect(a.notes).toMatchObject({ weightRight: 10, weightLeft: 2, gemm: 1, gather: 1, sharedWeightUses: 1, transposesDropped: 4 });
    // No float copy of any weight, and the Transposes that only shaped weights are gone.
    const floats = floatInits(model);
    for (const w of WEIGHTS) expect(floats).not.toContain(w);
    expect(ops(model, 'Transpose').filter((n) => n.input.some((x) => constants.has(x)))).toEqual([]);
    // The shared feed-forward weight is stored once.
    expect(model.graph!.initializer.filter((t) => t.name!.startsWith('ff1.w.shared') && t.data_type === DataType.INT8 && t.dims.length === 2)).toHaveLength(1);
    expect(a.sizeRatio).toBeCloseTo(a.bytes! / statSync(MODELS.encoder).size, 10);
    expect(a.sizeRatio!).toBeLessThan(0.3);
    expect(a.fidelity!.cosine).toBeGreaterThanOrEqual(0.99);
    expect(a.fidelity!.top1Agreement!).toBeGreaterThanOrEqual(0.95);
    expect(a.speed).toMatchObject({ threads: 1, measuredOn: 'optimizing machine' });
    expect(a.speed!.speedup).toBeGreaterThan(0);
  });

  it('int8-static puts every weight behind a DequantizeLinear, shared ones once, no fp32 copy', async () => {
    const out = tempDir();
    const m = await optimize(options(MODELS.encoder, out, { targets: ['int8-static'], calibration: { tokens: TOKENS } }));
    const a = artifact(m, 'int8-static');
    expect(a.status, a.reason).toBe('ok');
    const model = loadModel(a.path!);
    const dq = new Set(ops(model, 'DequantizeLinear').map((n) => n.output[0]));
    const weighted = [...ops(model, 'MatMul'), ...ops(model, 'Gemm')].filter((n) => !n.name!.endsWith('scores') && !n.name!.endsWith('ctx'));
    expect(weighted).toHaveLength(13);
    for (const n of weighted) expect(n.input.slice(0, 2).every((x) => dq.has(x)), n.name).toBe(true);
    const floats = floatInits(model);
    for (const w of WEIGHTS.filter((x) => x !== 'embed.w')) expect(floats).not.toContain(w);
    expect(a.notes!.sharedWeightUses).toBeGreaterThanOrEqual(1);
    expect(a.sizeRatio!).toBeLessThan(0.5);
    expect(a.fidelity!.cosine).toBeGreaterThanOrEqual(0.99);
  });
});

/** y = W·x (the constant on the left, no Transposes around it) plus z = x'·Reshape(Cast(V)): the general paths. */
function leftAndReshaped(file: string): void {
  const next = (() => {
    let s = 7;
    return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  })();
  const values = (n: number) => Float32Array.from({ length: n }, next);
  const vi = (name: string, dims: number[]) => make.valueInfo({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } } });
  const shape = make.tensor({ name: 'v.shape', dims: [2], data_type: DataType.INT64, int64_data: [64, 48] });
  const graph = make.graph({
    name: 'left',
    input: [vi('x', [64, 8])],
    output: [vi('y', [32, 8]), vi('z', [8, 48])],
    initializer: [floatTensor('w', [32, 64], values(32 * 64)), floatTensor('v', [48, 64], values(48 * 64)), shape],
    node: [
      make.node({ op_type: 'MatMul', name: 'left', input: ['w', 'x'], output: ['y'] }),
      make.node({ op_type: 'Transpose', name: 'xt', input: ['x'], output: ['xt'], attribute: [make.attribute({ name: 'perm', type: AttrType.INTS, ints: [1, 0] })] }),
      make.node({ op_type: 'Cast', name: 'v.cast', input: ['v'], output: ['v.f'], attribute: [make.attribute({ name: 'to', type: AttrType.INT, i: DataType.FLOAT })] }),
      make.node({ op_type: 'Reshape', name: 'v.reshape', input: ['v.f', 'v.shape'], output: ['v.r'] }),
      make.node({ op_type: 'MatMul', name: 'right', input: ['xt', 'v.r'], output: ['z'] }),
    ],
  });
  saveModel({ ir_version: 8, opset_import: [{ domain: '', version: 17 }], graph, metadata_props: [], functions: [] } as unknown as ModelProto, file);
}

describe('int8-dynamic on the general patterns', () => {
  it('a constant on the left becomes a u8 MatMulInteger with per-row scales; Reshape(Cast(W)) folds into one int8 weight', async () => {
    const dir = tempDir();
    const src = join(dir, 'left.onnx');
    leftAndReshaped(src);
    const m = await optimize(options(src, join(dir, 'out'), { floor: { ...DEFAULT_FLOOR, top1Agreement: 0 } }));
    const a = artifact(m, 'int8-dynamic');
    expect(a.status, a.reason).toBe('ok');
    const model = loadModel(a.path!);
    expect(ops(model, 'MatMulInteger')).toHaveLength(1);
    expect(ops(model, 'DynamicQuantizeMatMul')).toHaveLength(1);
    expect(ops(model, 'MatMul')).toEqual([]);
    expect(ops(model, 'Reshape')).toEqual([]);
    expect(ops(model, 'Cast').map((n) => n.name)).not.toContain('v.cast');
    expect(floatInits(model)).not.toContain('w');
    expect(floatInits(model)).not.toContain('v');
    expect(a.fidelity!.cosine).toBeGreaterThanOrEqual(0.99);
  });

  it('refuses an int8 artifact that is not smaller than its source, with the ratio', async () => {
    const dir = tempDir();
    const src = join(dir, 'tiny.onnx');
    const vi = (name: string, dims: number[]) => make.valueInfo({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } } });
    const graph = make.graph({
      name: 'tiny', input: [vi('x', [1, 2])], output: [vi('y', [1, 2])],
      initializer: [floatTensor('w', [2, 2], Float32Array.of(0.5, -1, 2, 0.25))],
      node: [make.node({ op_type: 'MatMul', name: 'mm', input: ['x', 'w'], output: ['y'] })],
    });
    saveModel({ ir_version: 8, opset_import: [{ domain: '', version: 17 }], graph, metadata_props: [], functions: [] } as unknown as ModelProto, src);
    const m = await optimize(options(src, join(dir, 'out'), { floor: { cosine: 0, top1Agreement: 0, absTolerance: 1 } }));
    const a = artifact(m, 'int8-dynamic');
    expect(a).toMatchObject({ status: 'failed', failure: 'size' });
    expect(a.sizeRatio!).toBeGreaterThanOrEqual(1);
    expect(a.reason).toMatch(/^\d+ bytes, \d\.\d{3} of the source's \d+: a int8-dynamic artifact must be smaller than its source; not shipped$/);
    expect(a.path).toBeUndefined();
  });
});

describe('the optimize summary', () => {
  it('says next to an artifact that it is slower than its source where it was made', () => {
    const base = { runtime: { name: 'onnxruntime', version: '1.30.0' }, settings: {}, durationMs: 10, status: 'ok' as const, path: 'm.int8.onnx', sha256: 'a'.repeat(64), bytes: 1000, sizeRatio: 0.25, precision: 'int8' as const, format: 'onnx' as const, opset: 17, fidelity: { cosine: 0.999, maxAbsError: 0.01, top1Agreement: null, samples: 4 } };
    const speed = (speedup: number) => ({ speedup, sourceMs: 2, artifactMs: 2 / speedup, rounds: 20, threads: 1 as const, measuredOn: 'optimizing machine' as const });
    const m: OptimizeManifest = {
      schema: { name: 'edgeml-optimize-manifest', version: 1 }, tool: { name: 'edgeml', version: '0' }, createdAt: new Date().toISOString(),
      source: { path: 'm.onnx', sha256: 'b'.repeat(64), bytes: 4000, opset: 17 }, validation: { inputs: 'random', samples: 4, floor: DEFAULT_FLOOR },
      artifacts: [{ ...base, target: 'int8-static', speed: speed(2) }, { ...base, target: 'int8-dynamic', speed: speed(0.8) }],
    };
    expect(manifestProblem(m)).toBeNull();
    const md = manifestMarkdown(m);
    expect(md).toMatch(/\| int8-static \| ok \| .* \| 1\.0 KiB \(0\.250 of source\) \| .* \| 2\.00x \|/);
    expect(md).toMatch(/\| int8-dynamic \| ok \| .* \| 0\.80x ⚠️ slower than the source on the optimizing machine \|/);
    expect(md).toMatch(/^⚠️ int8-dynamic runs 0\.80x the speed of the source on the machine that made it \(2\.50 ms vs 2\.00 ms, 1 thread\): smaller, not faster here$/m);
    expect(md).not.toMatch(/int8-static runs/);
  });
});

describe('a CNN whose int8 may be slower than its source here (MobileNetV2 class)', () => {
  // Depthwise convs have no fast int8 kernel on AVX2 without VNNI: on this repository's EPYC the
  // MobileNetV2-class int8-static measured 0.86x its fp32 source (benchmark/RESULTS.md). Whatever
  // this machine measures, the summary must say what the manifest holds, next to the artifact.
  // (At 96x96 with random weights its cosine is about 0.98: the floor is lowered, fidelity is not the point here.)
  it.skipIf(!HAVE_ONNX)('edgeml optimize prints the measured speed and, when below 1, says slower next to it', () => {
    const dir = tempDir();
    const made = spawnSync('/usr/bin/python3', [join(ROOT, 'benchmark/make-cnn.py'), dir, 'mobilenetv2', '96'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const out = join(dir, 'out');
    const r = edgeml(['optimize', '--model', join(dir, 'mobilenetv2.onnx'), '--target', 'int8-static', '--out', out, '--calibration', `images=${join(dir, 'mobilenetv2_calib.npy')}`, '--min-top1-agreement', '0', '--min-cosine', '0.9']);
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as OptimizeManifest;
    const a = m.artifacts[0];
    expect(a.status, a.reason).toBe('ok');
    expect(a.speed, 'optimize times every artifact against its source').toBeDefined();
    const speedup = a.speed!.speedup;
    expect(speedup).toBeGreaterThan(0);
    const cell = `${speedup.toFixed(2)}x`;
    const line = r.stdout.split('\n').find((l) => l.startsWith('| int8-static | ok |'));
    expect(line, r.stdout).toBeDefined();
    if (speedup < 1) {
      expect(line).toContain(`${cell} ⚠️ slower than the source on the optimizing machine`);
      expect(r.stdout).toMatch(new RegExp(`^⚠️ int8-static runs ${cell.replace('.', '\\.')} the speed of the source on the machine that made it \\(.+ ms vs .+ ms, 1 thread\\): smaller, not faster here$`, 'm'));
    } else {
      expect(line).toContain(`| ${cell} |`);
      expect(r.stdout).not.toMatch(/slower|not faster/);
    }
  });
});

describe('inputs that are not calibration data (--data)', () => {
  const VAD = ['--input', 'input=1x512', '--input', 'state=2x1x128'];
  it("Silero VAD's sample rate: random values are one clear line and exit 2, not an internal error", () => {
    const r = edgeml(['optimize', '--model', MODELS.vadV5, '--target', 'ort-optimized', '--out', join(tempDir(), 'out'), ...VAD]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|\[E:onnxruntime|\n.+\n/);
    expect(r.stderr.trim()).toMatch(/^edgeml: error: --model .*silero_vad_v5\.onnx: ONNX Runtime cannot run it on seeded random inputs: node '[^']*LSTM' \(LSTM\): .+; give real values for inputs that are not free data \('input', 'state', 'sr' got random values\) with --data NAME=file\.npy\|number/);
  });

  it('--data sr=16000 (and a state from a .npy) makes Silero VAD optimizable, with calibrated audio', async () => {
    const dir = tempDir();
    writeNpy(join(dir, 'state.npy'), new Float32Array(256), [2, 1, 128]);
    writeNpy(join(dir, 'audio.npy'), Float32Array.from({ length: 4 * 512 }, (_, i) => Math.sin(i / 9) * 0.3), [4, 512]);
    const r = edgeml(['optimize', '--model', MODELS.vadV5, '--target', 'ort-optimized', '--out', join(dir, 'out'), ...VAD, '--data', 'sr=16000', '--data', `state=${join(dir, 'state.npy')}`]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const m = await optimize(options(MODELS.vadV5, join(dir, 'calibrated'), {
      targets: ['ort-optimized'], calibration: { input: join(dir, 'audio.npy') }, inputSpec: { data: { sr: { kind: 'value', value: 16000 }, state: { kind: 'npy', path: join(dir, 'state.npy') } } },
    }));
    expect(m.validation).toMatchObject({ inputs: 'calibration', samples: 4 });
    expect(artifact(m, 'ort-optimized').status).toBe('ok');
  });

  it('names the flag when --data and --calibration give the same input, or the input does not exist', async () => {
    const dir = tempDir();
    const reject = (more: Partial<OptimizeOptions>) => optimize(options(MODELS.encoder, join(dir, 'out'), more)).then(() => 'no error', (e: Error) => `${e instanceof UserError} ${e.message}`);
    expect(await reject({ calibration: { tokens: TOKENS }, inputSpec: { data: { tokens: { kind: 'value', value: 1 } } } }))
      .toBe('true --data tokens and --calibration tokens: give one of them; --calibration gives samples, --data one value for every sample');
    expect(await reject({ inputSpec: { data: { sr: { kind: 'value', value: 1 } } } }))
      .toBe("true --data sr=...: the model has no input named 'sr'; its inputs are 'tokens'");
  });
});
