// The benchmark action as the runner drives it: the composite steps' scripts and the built
// bundle with INPUT_* variables and the GITHUB_* files.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readResults } from '../src/results/index.js';
import { MODELS, ROOT, measured, runActionBundle, tempDir } from './helpers.js';

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Array<{ id?: string; env?: Record<string, string>; run?: string; uses?: string }> };
}
const action = parse(readFileSync(join(ROOT, 'actions/benchmark/action.yml'), 'utf8')) as ActionYml;

const runBundle = (inputs: Record<string, string>, env: Record<string, string> = {}) => runActionBundle('benchmark', inputs, env);

describe('actions/benchmark/action.yml', () => {
  it('passes every input to the bundle and exposes every output', () => {
    const bench = action.runs.steps.find((s) => s.id === 'bench')!;
    expect(action.runs.using).toBe('composite');
    expect(bench.run).toContain('dist/benchmark/index.js');
    for (const name of Object.keys(action.inputs).filter((n) => !n.startsWith('runtime-'))) {
      expect(bench.env?.[`INPUT_${name.toUpperCase()}`], name).toBe(`\${{ inputs.${name} }}`);
    }
    for (const [name, out] of Object.entries(action.outputs)) expect(out.value).toBe(`\${{ steps.bench.outputs.${name} }}`);
  });

  it('installs the onnxruntime-node version the bundle is built and tested against', () => {
    const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
    expect(action.inputs['runtime-version'].default).toBe(installed);
  });

  it('locates the runtime: a cache key per OS, arch and version; installed when already there', () => {
    const dir = tempDir();
    const run = (env: Record<string, string>) => {
      const out = join(dir, `out-${Math.random()}`);
      const r = spawnSync('bash', [join(ROOT, 'scripts/runtime-dir.sh')], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, GITHUB_OUTPUT: out, VERSION: '1.30.0', RUNNER_OS: 'Linux', RUNNER_ARCH: 'ARM64', ...env },
        encoding: 'utf8',
      });
      return { status: r.status, stdout: r.stdout, out: existsSync(out) ? readFileSync(out, 'utf8') : '' };
    };
    const fresh = run({ RUNNER_TOOL_CACHE: join(dir, 'tools') });
    expect(fresh.out).toContain(`dir=${join(dir, 'tools')}/edgeml-onnxruntime/1.30.0/Linux-ARM64`);
    expect(fresh.out).toContain('key=edgeml-onnxruntime-node-1.30.0-Linux-ARM64');
    expect(fresh.out).toContain('installed=false');
    // An offline device that already has the runtime (here: this repository's node_modules).
    expect(run({ GIVEN_DIR: ROOT }).out).toContain('installed=true');
    const missing = run({ GIVEN_DIR: join(dir, 'empty') });
    expect(missing.status).toBe(2);
    expect(missing.stdout).toContain(`::error::runtime-dir '${join(dir, 'empty')}' has no node_modules/onnxruntime-node`);
  });
});

describe('dist/benchmark bundle', () => {
  it('benchmarks, writes the results, the outputs and the job summary', () => {
    const r = runBundle(
      { model: MODELS.ocrCls, input: 'x=1x3x48x192', warmup: '2', 'min-iterations': '5', 'min-duration': '0', 'device-label': 'ci "box" #1', 'runner-labels': 'self-hosted, rpi5' },
      { EDGEML_RUNTIME_DIR: ROOT, GITHUB_ACTIONS: 'true', RUNNER_NAME: 'rpi5-01' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const resultsPath = join(r.dir, 'edgeml-results/ci-box-1/ch_ppocr_mobile_v2.0_cls_infer.json');
    expect(r.outputs.results).toBe(resultsPath);
    const doc = readResults(resultsPath);
    expect(doc.device.label).toBe('ci "box" #1');
    expect(doc.device.runner).toMatchObject({ name: 'rpi5-01', labels: ['self-hosted', 'rpi5'] });
    expect(Number(r.outputs['p50-ms'])).toBe(doc.latencyMs.p50);
    expect(Number(r.outputs['p90-ms'])).toBe(doc.latencyMs.p90);
    expect(Number(r.outputs['peak-memory-mib'])).toBeCloseTo(measured(doc.memory).peakRssBytes / 2 ** 20, 1);
    // The deprecated name carries the same MiB value until it goes.
    expect(r.outputs['peak-memory-mb']).toBe(r.outputs['peak-memory-mib']);
    expect(r.summary).toContain('### edgeml benchmark');
    expect(r.summary).toContain('ch&#95;ppocr&#95;mobile&#95;v2&#46;0&#95;cls&#95;infer&#46;onnx');
    expect(r.summary).toContain('ci &#34;box&#34; &#35;1');
    expect(r.stdout).toContain('::group::Benchmark ch_ppocr_mobile_v2.0_cls_infer.onnx on ci-box-1');
    expect(r.stdout).toContain("not uploading artifact 'edgeml-results-ci-box-1-ch_ppocr_mobile_v2.0_cls_infer'");
  });

  it('fails the step with one line for bad input, and writes nothing', () => {
    const r = runBundle({ model: 'missing.onnx', json: 'out/r.json' }, { EDGEML_RUNTIME_DIR: ROOT });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      '::error::missing.onnx: no such model file; check the path given to --model',
    ]);
    expect(existsSync(join(r.dir, 'out/r.json'))).toBe(false);
    // The input's old name (until 0.3.0): read, with one warning.
    const old = runBundle({ model: 'missing.onnx', results: 'out/r.json' }, { EDGEML_RUNTIME_DIR: ROOT });
    expect(old.stdout.split('\n').filter((l) => l.startsWith('::warning::') || l.startsWith('::error::'))).toEqual([
      "::warning::input 'results' is deprecated and goes in 0.3.0; use input 'json'",
      '::error::missing.onnx: no such model file; check the path given to --model',
    ]);
    const bad = runBundle({ model: MODELS.digits, profile: 'maybe' }, { EDGEML_RUNTIME_DIR: ROOT });
    expect(bad.stdout).toContain("::error::input 'profile' \"maybe\": expected true or false");
  });

  it('names the missing runtime and how to install it', () => {
    // A worker copied where no node_modules can be reached, as on a runner before the install.
    const lonely = join(tempDir(), 'worker.js');
    copyFileSync(join(ROOT, 'dist/worker/index.js'), lonely);
    writeFileSync(join(lonely, '..', 'package.json'), '{"type":"module"}');
    const r = runBundle({ model: MODELS.digits }, { EDGEML_WORKER_SCRIPT: lonely, EDGEML_RUNTIME_DIR: join(lonely, '..', 'nothing') });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "::error::onnxruntime-node is not installed: run 'npm install onnxruntime-node' or set EDGEML_RUNTIME_DIR to the folder whose node_modules holds it",
    );
  });
});
