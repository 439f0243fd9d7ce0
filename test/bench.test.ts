// The benchmark on real models in the real ONNX Runtime, each measurement in its own process.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_DEFAULTS, runBenchmark, type BenchOptions } from '../src/bench/index.js';
import { readResults, writeResults } from '../src/results/index.js';
import { DIGITS, MODELS, measured, tempDir } from './helpers.js';

function options(model: string, extra: Partial<BenchOptions> = {}): BenchOptions {
  return {
    ...BENCH_DEFAULTS,
    model,
    inputs: {},
    warmup: 2,
    minIterations: 10,
    minDurationMs: 0,
    maxDurationMs: 10_000,
    ...extra,
  };
}

/** Every document must survive the schema on the way out and on the way back in. */
function roundTrip<T extends Parameters<typeof writeResults>[1]>(doc: T): T {
  const file = join(tempDir(), 'r.json');
  writeResults(file, doc);
  return readResults(file) as T;
}

describe('runBenchmark on real models', () => {
  it('measures the digits MLP on its labelled test inputs', async () => {
    const r = roundTrip(
      await runBenchmark(options(MODELS.digits, { inputs: { data: { pixels: { kind: 'npy', path: join(DIGITS, 'test_inputs.npy') } } }, keepSamples: true })),
    );
    expect(r.inputs).toEqual([{ name: 'pixels', type: 'float32', shape: [540, 64], source: 'npy', file: join(DIGITS, 'test_inputs.npy') }]);
    expect(r.model).toMatchObject({ name: 'mlp.onnx', bytes: 69572, format: 'onnx' });
    expect(r.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.runtime).toMatchObject({ name: 'onnxruntime-node', version: '1.30.0', executionProvider: 'cpu' });
    expect(r.iterations).toBeGreaterThanOrEqual(10);
    expect(r.samplesMs).toHaveLength(r.iterations);
    expect(r.queryMode).toBe('single');
    const l = measured(r.latencyMs);
    expect(l.min).toBeGreaterThan(0);
    expect(l.min).toBeLessThanOrEqual(l.p50);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    expect(r.loadMs).toBeGreaterThan(0);
    const m = measured(r.memory);
    expect(m.peakRssBytes).toBeGreaterThan(m.baselineRssBytes);
    expect(m.modelRssBytes).toBe(m.peakRssBytes - m.baselineRssBytes);
    expect(r.headline).toEqual({ metric: 'latency.p90', value: l.p90, unit: 'ms' });
    expect(r.device.cores).toBeGreaterThan(0);
    expect(r.device.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('stops at min-iterations and min-duration, and reports whether percentiles have enough queries', async () => {
    const few = await runBenchmark(options(MODELS.digits, { minIterations: 20, maxIterations: 20 }));
    expect(few.iterations).toBe(20);
    expect(few.percentileSufficient).toEqual({ p90: false, p99: false });
    expect(few.earlyStopping.p90).toMatchObject({ sufficient: false, minQueries: 64, estimate: null });
    expect(few.latencyCi95Ms.p90).toBeNull();
    const enough = await runBenchmark(options(MODELS.digits, { minIterations: 700 }));
    expect(enough.iterations).toBeGreaterThanOrEqual(700);
    expect(enough.percentileSufficient).toEqual({ p90: true, p99: true });
    const [lo, hi] = enough.latencyCi95Ms.p50!;
    const l = measured(enough.latencyMs);
    expect(lo).toBeLessThanOrEqual(l.p50);
    expect(hi).toBeGreaterThanOrEqual(l.p50);
    expect(enough.earlyStopping.p90.estimate!).toBeGreaterThanOrEqual(l.p90);
  });

  it('takes dynamic dims from --input on PP-OCR (weights stored as Constant nodes)', async () => {
    const r = await runBenchmark(options(MODELS.ocrCls, { inputs: { shapes: { x: [1, 3, 48, 192] } } }));
    expect(r.inputs[0]).toMatchObject({ name: 'x', shape: [1, 3, 48, 192], source: 'random' });
    expect(r.latencyMs.p50).toBeGreaterThan(0);
  });

  it('feeds state inputs and a scalar sample rate to Silero VAD (If subgraphs)', async () => {
    const r = await runBenchmark(
      options(MODELS.vadV5, {
        inputs: { shapes: { input: [1, 512], state: [2, 1, 128] }, data: { sr: { kind: 'value', value: 16000 } } },
      }),
    );
    expect(r.inputs.map((i) => [i.name, i.type, i.shape, i.source])).toEqual([
      ['input', 'float32', [1, 512], 'random'],
      ['state', 'float32', [2, 1, 128], 'random'],
      ['sr', 'int64', [], 'value'],
    ]);
    const legacy = await runBenchmark(options(MODELS.vadLegacy, { inputs: { dims: { sequence: 512 }, data: { sr: { kind: 'value', value: 16000 } } } }));
    expect(legacy.inputs.find((i) => i.name === 'h')!.shape).toEqual([2, 1, 64]);
  });

  it('feeds every tensor type ORT takes', async () => {
    const r = await runBenchmark(options(MODELS.dtypes));
    expect(r.inputs.map((i) => i.type)).toEqual(['float32', 'float16', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool']);
    expect(r.inputs.every((i) => i.shape.join('x') === '1x4')).toBe(true);
  });

  it('runs the openWakeWord Gemm MLP with its fixed shape', async () => {
    const r = await runBenchmark(options(MODELS.wakeword));
    expect(r.inputs[0].shape).toEqual([1, 25, 96]);
  });

  it('batches multi-stream queries along the batch dim, and runs them in turn when it cannot', async () => {
    const batched = await runBenchmark(options(MODELS.digits, { scenario: 'multi-stream' }));
    expect(batched).toMatchObject({ queryMode: 'batched', settings: { samplesPerQuery: 8 } });
    expect(batched.inputs[0].shape).toEqual([8, 64]);
    expect(batched.headline).toMatchObject({ metric: 'latency.p99', value: batched.latencyMs.p99 });
    const fixed = await runBenchmark(options(MODELS.wakeword, { scenario: 'multi-stream', samplesPerQuery: 4 }));
    expect(fixed).toMatchObject({ queryMode: 'sequential', settings: { samplesPerQuery: 4 } });
    expect(fixed.inputs[0].shape).toEqual([1, 25, 96]);
  });

  it('reports offline throughput in samples per second', async () => {
    const r = await runBenchmark(options(MODELS.digits, { scenario: 'offline', samplesPerQuery: 64 }));
    expect(r.inputs[0].shape).toEqual([64, 64]);
    expect(r.headline.metric).toBe('throughput');
    expect(r.throughputPerSec).toBeCloseTo((r.iterations * 64 * 1000) / r.durationMs!, 6);
  });

  it('profiles in a separate process and sums kernel time by op type and node', async () => {
    const r = roundTrip(await runBenchmark(options(MODELS.ocrCls, { inputs: { shapes: { x: [1, 3, 48, 192] } }, profile: true })));
    const p = r.profile!;
    expect(p.runs).toBeGreaterThan(0);
    const ops = p.byOpType.map((o) => o.opType);
    expect(ops).toContain('Conv');
    expect(p.byOpType.reduce((s, o) => s + o.share, 0)).toBeCloseTo(1, 6);
    expect(p.byProvider[0].provider).toBe('CPUExecutionProvider');
    expect(p.topNodes.length).toBeGreaterThan(0);
    expect(p.topNodes.length).toBeLessThanOrEqual(10);
    expect(p.topNodes[0].ms).toBeGreaterThanOrEqual(p.topNodes[p.topNodes.length - 1].ms);
  });

  it('honours threads and the optimization level', async () => {
    const r = await runBenchmark(options(MODELS.digits, { threads: 1, optLevel: 'disabled' }));
    expect(r.runtime).toMatchObject({ threads: 1, optLevel: 'disabled' });
  });
});
