// The vendor-tool parsers on real output captured from trtexec, benchmark_app and benchmark_model
// (test/fixtures/vendor/README.md names where each log came from and which version printed it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchmarkApp } from '../src/bench/backends/openvino.js';
import { parseBenchmarkModel } from '../src/bench/backends/tflite.js';
import { parseTrtexec, parseTrtexecTimes } from '../src/bench/backends/trtexec.js';
import { ROOT } from './helpers.js';

const fixture = (p: string) => readFileSync(join(ROOT, 'test/fixtures/vendor', p), 'utf8');
/** Cuts a log before the first line containing `marker`, as a killed or crashed run leaves it. */
const cutAt = (text: string, marker: string) => text.slice(0, text.indexOf(marker));

describe('trtexec', () => {
  it.each([
    ['10.16.1-onnx.log', { runtimeVersion: '10.16.1', toolVersion: 'v101601', iterations: 46125, durationMs: 3000.13, throughputPerSec: 15374.3, loadMs: 8091.38 + 6.76279 },
      { min: 0.0410156, max: 0.14917, mean: 0.0441053, p50: 0.0440674, p90: 0.0450439, p95: 0.0458984, p99: 0.0512695 }],
    ['10.14.1-onnx.log', { runtimeVersion: '10.14.1', iterations: 69569, throughputPerSec: 23188.6 },
      { min: 0.0333252, max: 0.26416, mean: 0.0385501, p50: 0.0383301, p90: 0.0395508, p95: 0.0400391, p99: 0.046875 }],
    ['10.16.0-loadengine-cudagraph.log', { runtimeVersion: '10.16.0', iterations: 98105, throughputPerSec: 32701 }, {}],
    ['8.6.0-loadengine-verbose.log', { runtimeVersion: '8.6.0', toolVersion: 'v8600', iterations: 63030, throughputPerSec: 21009.2, loadMs: 6.82958 + 5.84987 },
      { min: 0.0490112, max: 0.617065, mean: 0.0533242, p50: 0.0517578, p90: 0.0532227, p95: 0.053772, p99: 0.0630798 }],
    // 8.4 prints no p90/p95: they stay null rather than being guessed.
    ['8.4.1-onnx-verbose.log', { runtimeVersion: '8.4.1', iterations: 18516, throughputPerSec: 6170.89, durationMs: 3000.54 },
      { min: 0.160156, max: 0.54834, mean: 0.167706, p50: 0.163086, p90: null, p95: null, p99: 0.392456 }],
  ])('%s', (file, fields, latency) => {
    const r = parseTrtexec(fixture(`trtexec/${file}`));
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'number') expect(r[k as keyof typeof r], k).toBeCloseTo(v, 6);
      else expect(r[k as keyof typeof r], k).toBe(v);
    }
    for (const [k, v] of Object.entries(latency)) {
      if (v === null) expect(r.latencyMs[k as keyof typeof r.latencyMs], k).toBeNull();
      else expect(r.latencyMs[k as keyof typeof r.latencyMs], k).toBeCloseTo(v, 7);
    }
    expect(r.latencyMs.stddev).toBeNull();
    expect(r.firstRunMs).toBeNull();
    expect(r.device).toMatch(/^NVIDIA |^[A-Z]/);
  });

  it('reads the runtime version and device where it prints them', () => {
    const r = parseTrtexec(fixture('trtexec/10.14.1-onnx.log'));
    expect(r.device).toBe('NVIDIA RTX 6000 Ada Generation');
    expect(r.loadMs).toBeCloseTo(2605.77 + 3.36446, 4);
  });

  it('refuses a build-only run (--skipInference) and a cut-short log, naming what is missing', () => {
    expect(() => parseTrtexec(fixture('trtexec/10.16.0-build-fp16.log'))).toThrow(/^trtexec output has no '=== Performance summary ===' section/);
    const log = fixture('trtexec/10.16.1-onnx.log');
    expect(() => parseTrtexec(cutAt(log, 'Latency: min'))).toThrow(/trtexec output has no 'Latency:' line .*it ended with: .*Throughput: 15374.3 qps/);
    expect(() => parseTrtexec('')).toThrow(/trtexec output has no .* it printed nothing/);
    expect(() => parseTrtexec(`${cutAt(log, '[07/07/2026-02:10:55] [I] Starting inference')}&&&& FAILED TensorRT.trtexec [TensorRT v101601] [b11] # trtexec --onnx=m.onnx\n`)).toThrow(/^trtexec failed/);
  });

  it('reads per-query latencies from --exportTimes', () => {
    // The layout of trtexec's --exportTimes file (one object per query); not a captured file.
    const doc = JSON.stringify([
      { startEnqMs: 0.1, endEnqMs: 0.2, startH2dMs: 0.1, endH2dMs: 0.12, startComputeMs: 0.13, endComputeMs: 0.2, startD2hMs: 0.2, endD2hMs: 0.21, h2dMs: 0.02, computeMs: 0.07, d2hMs: 0.01, latencyMs: 0.11 },
      { startEnqMs: 0.3, endEnqMs: 0.4, latencyMs: 0.12 },
    ]);
    expect(parseTrtexecTimes(doc)).toEqual([0.11, 0.12]);
    expect(() => parseTrtexecTimes(doc.slice(0, 40))).toThrow(/not JSON/);
    expect(() => parseTrtexecTimes('[{"startEnqMs": 1}]')).toThrow(/query 0 has no latencyMs/);
    expect(() => parseTrtexecTimes('[]')).toThrow(/holds no queries/);
  });
});

describe('benchmark_app', () => {
  it.each([
    ['2024.1.0-python-cpu.log', { toolVersion: '2024.1.0-15008-f4afc983258-releases/2024/1', runtimeVersion: '2024.1.0', iterations: 1668, durationMs: 10042.46, throughputPerSec: 166.09, loadMs: 15.2 + 111.41, firstRunMs: 14.61, device: 'CPU' },
      { p50: 20.76, mean: 23.91, min: 11.55, max: 90.43 }],
    ['2023.0.1-python-cpu-latency.log', { runtimeVersion: '2023.0.1', iterations: 287, durationMs: 5025.64, throughputPerSec: 57.11, loadMs: 48.75 + 669.77, firstRunMs: 67.65 },
      { p50: 16.85, mean: 17.42, min: 16.1, max: 74.41 }],
    // The C++ tool's fragment in its README: "Avg:", and no version or load lines.
    ['cpp-readme-static-fragment.log', { toolVersion: null, runtimeVersion: null, loadMs: null, iterations: 6640, durationMs: 60039.7, throughputPerSec: 110.59, firstRunMs: 26.26 },
      { p50: 35.36, mean: 36.12, min: 18.55, max: 88.96 }],
  ])('%s', (file, fields, latency) => {
    const r = parseBenchmarkApp(fixture(`openvino/${file}`));
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'number') expect(r[k as keyof typeof r], k).toBeCloseTo(v, 6);
      else expect(r[k as keyof typeof r], k).toBe(v);
    }
    expect(r.latencyMs).toEqual({ stddev: null, p90: null, p95: null, p99: null, ...latency });
  });

  it('takes "N percentile" lines (-latency_percentile) and microseconds', () => {
    const text = fixture('openvino/2024.1.0-python-cpu.log').replace('Median:        20.76 ms', '90 percentile:     961.20 us');
    const r = parseBenchmarkApp(text);
    expect(r.latencyMs.p90).toBeCloseTo(0.9612, 9);
    expect(r.latencyMs.p50).toBeNull();
  });

  it('refuses cut-short output and reports an error run', () => {
    const log = fixture('openvino/2024.1.0-python-cpu.log');
    expect(() => parseBenchmarkApp(cutAt(log, '[Step 11/11]'))).toThrow(/^benchmark_app output has no 'Dumping statistics report' step .*First inference took 14.61 ms/);
    expect(() => parseBenchmarkApp(cutAt(log, '[ INFO ] Latency:'))).toThrow(/benchmark_app output has no 'Latency:' block/);
    expect(() => parseBenchmarkApp(cutAt(log, '[ INFO ]    Average'))).toThrow(/benchmark_app output has no average and median/);
    const failed = `${cutAt(log, '[ INFO ] Loading model files')}[ ERROR ] Model file model.xml cannot be opened!\n`;
    expect(() => parseBenchmarkApp(failed)).toThrow('benchmark_app failed: Model file model.xml cannot be opened!');
  });
});

describe('benchmark_model', () => {
  it('TFLite 2.18 on a TI AM62x, CPU: p5/median/p95 and the memory footprint delta', () => {
    const r = parseBenchmarkModel(fixture('tflite/ti-am62x-cpu.log'));
    expect(r).toMatchObject({ iterations: 50, loadMs: 5.579, firstRunMs: 1357.602, durationMs: null, throughputPerSec: null, device: 'CPU', toolVersion: null });
    expect(r.latencyMs).toEqual({ mean: 1240.27, stddev: 2.565, min: 1238.588, max: 1252.566, p50: 1239.807, p90: null, p95: 1247.415, p99: null });
    expect(r.modelMemoryBytes).toBe(Math.round(109.832 * 2 ** 20));
  });

  it('TFLite 2.18 with the XNNPACK delegate', () => {
    const r = parseBenchmarkModel(fixture('tflite/ti-am62x-xnnpack.log'));
    expect(r).toMatchObject({ iterations: 50, loadMs: 614.333, device: 'XNNPACK' });
    expect(r.latencyMs.mean).toBeCloseTo(899.641, 6);
  });

  it('TFLite 2.4 on Android: no percentiles, "Peak memory footprint"', () => {
    const r = parseBenchmarkModel(fixture('tflite/2.4.0-android-cpu.log'));
    expect(r.latencyMs).toEqual({ mean: 249.684, stddev: 1.442, min: 247.067, max: 254.474, p50: null, p90: null, p95: null, p99: null });
    expect(r).toMatchObject({ iterations: 50, loadMs: 16.242, firstRunMs: 360.262, modelMemoryBytes: Math.round(138.809 * 2 ** 20) });
  });

  it('reports a failed run and refuses cut-short output', () => {
    expect(() => parseBenchmarkModel(fixture('tflite/2.4.0-android-nnapi-failed.log'))).toThrow(
      'benchmark_model failed: NN API returned error ANEURALNETWORKS_OP_FAILED at line 3779 while completing NNAPI compilation.',
    );
    const log = fixture('tflite/ti-am62x-cpu.log');
    expect(() => parseBenchmarkModel(cutAt(log, 'INFO: Inference timings'))).toThrow(/^benchmark_model output has no 'Inference timings in us:' line .*p95=1247415/);
  });
});
