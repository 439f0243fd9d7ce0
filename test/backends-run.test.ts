// The vendor backends end to end through the built CLI. trtexec, benchmark_app and benchmark_model
// cannot be installed on this machine (no GPU, not in Debian), so each is played by a small fake
// executable that records its arguments and prints real output captured from that tool
// (test/fixtures/vendor). Tests that need the real tool run only where it is on the PATH.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  benchmarkAppArgs, benchmarkModelArgs, locateTool, trtexecArgs, vmHwmBytes, type ToolRunSettings,
} from '../src/bench/backends/index.js';
import { readResults } from '../src/results/index.js';
import { MODELS, ROOT, edgeml, tempDir } from './helpers.js';
import { vendorTool } from './tools.js';

const FIXTURES = join(ROOT, 'test/fixtures/vendor');

/**
 * Writes an executable `name` into `dir` that appends its arguments to args.txt, runs `before`
 * (shell), prints `fixture` and exits with `status`.
 */
function fakeTool(dir: string, name: string, fixture: string, opts: { status?: number; before?: string } = {}): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    // It stays up a moment, as a real tool does for seconds, so its memory can be sampled.
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, 'args.txt')}"\n${opts.before ?? ''}\ncat "${join(FIXTURES, fixture)}"\nsleep 0.3\nexit ${opts.status ?? 0}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}
const argsOf = (dir: string) => readFileSync(join(dir, 'args.txt'), 'utf8').trim().split('\n');
const QUICK = ['--warmup', '3', '--min-iterations', '20', '--min-duration', '1s', '--max-duration', '5s'];

describe('flags mapped to each tool', () => {
  const base: ToolRunSettings = {
    model: '/m/model.onnx', shapes: { x: [1, 3, 224, 224], mask: [1, 16] }, warmup: 10, minIterations: 100,
    minDurationMs: 10_000, maxDurationMs: 60_000, threads: 0, executionProvider: 'cpu',
  };
  it.each<[string, (s: ToolRunSettings) => string[], Partial<ToolRunSettings>, string[]]>([
    ['trtexec from ONNX', trtexecArgs, { precision: 'fp16', timesFile: '/t/times.json' },
      ['--onnx=/m/model.onnx', '--shapes=x:1x3x224x224,mask:1x16', '--iterations=100', '--duration=10', '--fp16', '--exportTimes=/t/times.json']],
    ['trtexec on an engine, int8, DLA', trtexecArgs, { model: '/m/model.engine', shapes: {}, precision: 'int8', executionProvider: 'dla', minDurationMs: 0 },
      ['--loadEngine=/m/model.engine', '--iterations=100', '--duration=1', '--int8', '--useDLACore=0', '--allowGPUFallback']],
    ['benchmark_app', benchmarkAppArgs, { threads: 4, precision: 'fp16' },
      ['-m', '/m/model.onnx', '-d', 'CPU', '-api', 'sync', '-hint', 'latency', '-niter', '100', '-t', '10', '-shape', 'x[1,3,224,224],mask[1,16]', '-nthreads', '4', '-infer_precision', 'f16']],
    ['benchmark_app on a GPU', benchmarkAppArgs, { executionProvider: 'gpu', shapes: {} },
      ['-m', '/m/model.onnx', '-d', 'GPU', '-api', 'sync', '-hint', 'latency', '-niter', '100', '-t', '10']],
    ['benchmark_model with XNNPACK', benchmarkModelArgs, { model: '/m/model.tflite', shapes: { input: [1, 224, 224, 3] }, executionProvider: 'xnnpack', threads: 4 },
      ['--graph=/m/model.tflite', '--warmup_runs=10', '--num_runs=100', '--min_secs=10', '--max_secs=60', '--num_threads=4', '--input_layer=input', '--input_layer_shape=1,224,224,3', '--use_xnnpack=true']],
    ['benchmark_model, default threads', benchmarkModelArgs, { model: '/m/model.tflite', shapes: {} },
      ['--graph=/m/model.tflite', '--warmup_runs=10', '--num_runs=100', '--min_secs=10', '--max_secs=60', '--num_threads=-1']],
  ])('%s', (_name, fn, over, expected) => {
    expect(fn({ ...base, ...over })).toEqual(expected);
  });

  it('refuses what a tool cannot do', () => {
    expect(() => benchmarkAppArgs({ ...base, precision: 'int8' })).toThrow(/int8 model \(quantize it with NNCF\)/);
    expect(() => benchmarkModelArgs({ ...base, executionProvider: 'coreml' })).toThrow('--ep coreml with --runtime tflite: expected cpu, xnnpack, gpu or nnapi');
  });
});

describe('locating the tool', () => {
  it('names the tool and how to install it when it is missing', () => {
    const env = { PATH: tempDir() };
    expect(() => locateTool('tensorrt', undefined, env)).toThrow(/--runtime tensorrt needs trtexec, which is not on the PATH: .*JetPack.*\/usr\/src\/tensorrt\/bin\/trtexec.*--tool-path/);
    expect(() => locateTool('openvino', undefined, env)).toThrow(/needs benchmark_app, .*'pip install openvino'/);
    expect(() => locateTool('tflite', undefined, env)).toThrow(/needs benchmark_model, .*prebuilt TFLite benchmark_model binary/);
  });

  it('takes --tool-path, and checks it', () => {
    const dir = tempDir();
    const tool = fakeTool(dir, 'trtexec', 'trtexec/10.16.1-onnx.log');
    expect(locateTool('tensorrt', tool, { PATH: '' })).toBe(tool);
    expect(locateTool('tensorrt', undefined, { PATH: `/nonexistent${delimiter}${dir}` })).toBe(tool);
    expect(() => locateTool('tensorrt', join(dir, 'nope'))).toThrow(/--tool-path .*nope: no such file/);
    writeFileSync(join(dir, 'plain'), 'x');
    expect(() => locateTool('tensorrt', join(dir, 'plain'))).toThrow(/not an executable file/);
  });

  it('reads VmHWM from /proc/<pid>/status', () => {
    expect(vmHwmBytes('Name:\tnode\nVmPeak:\t  1000 kB\nVmHWM:\t   2048 kB\nVmRSS:\t 1024 kB\n')).toBe(2048 * 1024);
    expect(vmHwmBytes('Name:\tzombie\n')).toBeNull();
    if (process.platform === 'linux') expect(vmHwmBytes(readFileSync('/proc/self/status', 'utf8'))).toBeGreaterThan(10 * 2 ** 20);
  });
});

describe('edgeml bench --runtime with a fake vendor tool', () => {
  it('tensorrt: trtexec flags, its summary, and our statistics from --exportTimes', () => {
    const dir = tempDir();
    // The fake writes per-query times where --exportTimes asks (the layout trtexec writes).
    const times = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ startEnqMs: i, endEnqMs: i + 0.01, latencyMs: 0.04 + (i % 10) / 1000 })));
    const before = `for a in "$@"; do case "$a" in --exportTimes=*) printf '%s' '${times}' > "\${a#--exportTimes=}";; esac; done`;
    const tool = fakeTool(dir, 'trtexec', 'trtexec/10.16.1-onnx.log', { before });
    const out = join(dir, 'r.json');
    const r = edgeml(['bench', MODELS.digits, '--runtime', 'tensorrt', '--tool-path', tool, '--input', 'pixels=1x64', '--precision', 'fp16', '--samples', ...QUICK, '--json', out]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const args = argsOf(dir);
    expect(args).toEqual(expect.arrayContaining([`--onnx=${MODELS.digits}`, '--shapes=pixels:1x64', '--iterations=20', '--duration=1', '--fp16']));
    expect(args.find((a) => a.startsWith('--exportTimes='))).toBeTruthy();
    const doc = readResults(out);
    expect(doc.runtime).toMatchObject({ name: 'tensorrt', version: '10.16.1', precision: 'fp16', tool: { name: 'trtexec', version: 'v101601', path: tool } });
    expect(doc.runtime.optLevel).toBeUndefined();
    expect(doc.iterations).toBe(200);
    expect(doc.samplesMs).toHaveLength(200);
    expect(doc.latencyMs.p50).toBeCloseTo(0.0445, 6);
    expect(doc.latencyCi95Ms.p90).not.toBeNull();
    expect(doc.headline.metric).toBe('latency.p90');
    expect(doc).toMatchObject({ firstRunMs: null, throughputPerSec: 15374.3, durationMs: 3000.13, model: { format: 'onnx' } });
    expect(doc.loadMs).toBeCloseTo(8091.38 + 6.76279, 6);
    expect(doc.memory.peakRssBytes).toBeGreaterThan(0);
    expect(r.stdout).toContain('tensorrt 10.16.1 (trtexec)');
    expect(r.stdout).toMatch(/\| first run +\| +not reported \|/);
  });

  it('openvino: benchmark_app found on the PATH; figures it does not print are null and "not reported"', () => {
    const dir = tempDir();
    fakeTool(dir, 'benchmark_app', 'openvino/2024.1.0-python-cpu.log');
    const out = join(dir, 'r.json');
    const r = edgeml(['bench', MODELS.digits, '--runtime', 'openvino', '--threads', '2', ...QUICK, '--json', out], { PATH: `${dir}${delimiter}${process.env.PATH}` });
    expect(r.status).toBe(0);
    expect(argsOf(dir)).toEqual(['-m', MODELS.digits, '-d', 'CPU', '-api', 'sync', '-hint', 'latency', '-niter', '20', '-t', '1', '-nthreads', '2']);
    const doc = readResults(out);
    expect(doc.runtime).toMatchObject({ name: 'openvino', version: '2024.1.0', executionProvider: 'CPU', threads: 2, tool: { name: 'benchmark_app', version: '2024.1.0-15008-f4afc983258-releases/2024/1' } });
    expect(doc.latencyMs).toEqual({ mean: 23.91, stddev: null, min: 11.55, max: 90.43, p50: 20.76, p90: null, p95: null, p99: null });
    expect(doc.latencyCi95Ms).toEqual({ p50: null, p90: null });
    expect(doc.headline).toEqual({ metric: 'latency.p50', value: 20.76, unit: 'ms' });
    expect(doc.earlyStopping.p90).toMatchObject({ sufficient: true, estimate: null });
    expect(doc.memory.modelRssBytes).toBeNull();
    expect(r.stdout).toMatch(/\| p50 \(headline\) +\| +20\.8 ms \| +not reported \|/);
    expect(r.stdout).toMatch(/\| p90 +\| +not reported \| +not reported \|/);
  });

  it('tflite: peak RSS of the tool process polled from /proc, model memory as the tool reports it', () => {
    const dir = tempDir();
    const model = join(dir, 'model.tflite');
    writeFileSync(model, 'TFL3 placeholder: the fake tool does not read it');
    // This fake is one Python process (as the real tool is one process) that touches 150 MiB for a
    // moment before printing the captured output.
    const tool = join(dir, 'benchmark_model');
    writeFileSync(tool, [
      '#!/usr/bin/env python3',
      'import sys, time',
      `open(${JSON.stringify(join(dir, 'args.txt'))}, "w").write("\\n".join(sys.argv[1:]))`,
      'b = bytearray(150 * 2**20)',
      'time.sleep(0.5)',
      `sys.stdout.write(open(${JSON.stringify(join(FIXTURES, 'tflite/ti-am62x-cpu.log'))}).read())`,
      '',
    ].join('\n'));
    chmodSync(tool, 0o755);
    const out = join(dir, 'r.json');
    const r = edgeml(['bench', model, '--runtime', 'tflite', '--ep', 'cpu', '--tool-path', join(dir, 'benchmark_model'), ...QUICK, '--json', out]);
    expect(r.status).toBe(0);
    const doc = readResults(out);
    expect(argsOf(dir)).toEqual([`--graph=${model}`, '--warmup_runs=3', '--num_runs=20', '--min_secs=1', '--max_secs=5', '--num_threads=-1']);
    expect(doc.model.format).toBe('tflite');
    expect(doc.runtime).toMatchObject({ name: 'tflite', version: 'unknown', tool: { name: 'benchmark_model', version: null } });
    expect(doc.memory.modelRssBytes).toBe(Math.round(109.832 * 2 ** 20));
    expect(doc).toMatchObject({ loadMs: 5.579, firstRunMs: 1357.602, durationMs: null, throughputPerSec: null, iterations: 50 });
    expect(r.stdout).toMatch(/\| throughput +\| +not reported \|/);
    if (process.platform === 'linux') expect(doc.memory.peakRssBytes).toBeGreaterThan(150 * 2 ** 20);
  });

  it.each<[string, string[], RegExp]>([
    ['a missing tool', ['--runtime', 'openvino'], /^--runtime openvino needs benchmark_app, which is not on the PATH: run 'pip install openvino'/],
    ['a tool that fails', ['--runtime', 'tflite', '--tool-path', 'FAIL'], /^benchmark_model failed: NN API returned error ANEURALNETWORKS_OP_FAILED/],
    ['a model the tool does not read', ['--runtime', 'tflite', '--tool-path', 'OK'], /--runtime tflite \(benchmark_model\) takes \.tflite models/],
    ['--data with a vendor runtime', ['--runtime', 'tensorrt', '--tool-path', 'OK', '--data', 'x=1'], /^--data is for --runtime onnxruntime/],
    ['--precision without one', ['--precision', 'fp16'], /^--precision fp16 is for a vendor runtime/],
    ['--tool-path without one', ['--tool-path', '/usr/bin/true'], /^--tool-path is for a vendor runtime/],
  ])('%s: exit 2 and one line', (_name, flags, message) => {
    const dir = tempDir();
    fakeTool(dir, 'fails', 'tflite/2.4.0-android-nnapi-failed.log', { status: 1 });
    fakeTool(dir, 'ok', 'tflite/ti-am62x-cpu.log');
    const model = flags.includes('FAIL') ? join(dir, 'm.tflite') : MODELS.digits;
    writeFileSync(join(dir, 'm.tflite'), 'x');
    const f = flags.map((x) => (x === 'FAIL' ? join(dir, 'fails') : x === 'OK' ? join(dir, 'ok') : x));
    const r = edgeml(['bench', model, ...f, ...QUICK, '--json', join(dir, 'r.json')], { PATH: tempDir() + delimiter + '/usr/bin:/bin' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(message.source.replace(/^\^/, '^(edgeml: )?(error: )?')));
    expect(existsSync(join(dir, 'r.json'))).toBe(false);
  });
});

// The real tools, where a device has them (a Jetson, an Intel box, a Raspberry Pi runner).
// Vendor tools no distribution packages: optional even under EDGEML_REQUIRE_TOOLS=1 (the backends
// are tested above with fakes that print captured output); test/tools.ts records the skip.
const REAL = {
  trtexec: vendorTool('trtexec', 'NVIDIA TensorRT (JetPack on a Jetson)', ['/usr/src/tensorrt/bin/trtexec']) ?? '',
  benchmark_app: vendorTool('benchmark_app', "Intel OpenVINO ('pip install openvino')") ?? '',
};
describe('with the real tools', () => {
  it.skipIf(!REAL.trtexec)('trtexec benchmarks the digits MLP (skipped: trtexec not installed)', () => {
    const r = edgeml(['bench', MODELS.digits, '--runtime', 'tensorrt', '--tool-path', REAL.trtexec, '--input', 'pixels=1x64', ...QUICK]);
    expect(r.status).toBe(0);
  });
  it.skipIf(!REAL.benchmark_app)('benchmark_app benchmarks the digits MLP (skipped: benchmark_app not installed)', () => {
    const r = edgeml(['bench', MODELS.digits, '--runtime', 'openvino', ...QUICK]);
    expect(r.status).toBe(0);
  });
});
