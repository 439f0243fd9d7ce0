// The optimize action as the runner drives it: the built bundle with INPUT_* variables and the
// GITHUB_* files, every input given as the composite step gives it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ACTION_NODE, DIGITS, MODELS, ROOT, tempDir } from './helpers.js';

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Array<{ id?: string; env?: Record<string, string>; run?: string; uses?: string }> };
}
const action = parse(readFileSync(join(ROOT, 'actions/optimize/action.yml'), 'utf8')) as ActionYml;
const bench = parse(readFileSync(join(ROOT, 'actions/benchmark/action.yml'), 'utf8')) as ActionYml;

function runBundle(inputs: Record<string, string>) {
  const dir = tempDir('edgeml-action-');
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...files };
  for (const [name, spec] of Object.entries(action.inputs)) env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  const r = spawnSync(ACTION_NODE, [join(ROOT, 'dist/optimize/index.js')], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
  const outputs: Record<string, string> = {};
  const text = readFileSync(files.GITHUB_OUTPUT, 'utf8');
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
  return { ...r, dir, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
}

describe('actions/optimize/action.yml', () => {
  it('is composite, installs the runtime like the benchmark action, and passes every input to the bundle', () => {
    expect(action.runs.using).toBe('composite');
    const step = action.runs.steps.find((s) => s.id === 'optimize')!;
    expect(step.run).toContain('dist/optimize/index.js');
    expect(step.env?.EDGEML_RUNTIME_DIR).toBe('${{ steps.runtime.outputs.dir }}');
    // The same runtime steps as the benchmark action (whose conditions also skip them for vendor runtimes).
    const withoutIf = (steps: typeof action.runs.steps) => steps.slice(0, 3).map(({ if: _if, ...rest }: Record<string, unknown>) => rest);
    expect(withoutIf(action.runs.steps)).toEqual(withoutIf(bench.runs.steps));
    for (const name of Object.keys(action.inputs).filter((n) => !n.startsWith('runtime-'))) {
      expect(step.env?.[`INPUT_${name.toUpperCase()}`], name).toBe(`\${{ inputs.${name} }}`);
    }
    for (const [name, out] of Object.entries(action.outputs)) expect(out.value).toBe(`\${{ steps.optimize.outputs.${name} }}`);
    // Calibration ranges cached under a key of the model's and the data's bytes.
    const key = action.runs.steps.find((s) => s.id === 'calibration-key')!;
    expect(key.run).toContain('sha256sum');
    expect(action.runs.steps.find((s) => s.uses === 'actions/cache@v5' && (s as { with?: { key?: string } }).with?.key === '${{ steps.calibration-key.outputs.key }}')).toBeDefined();
    expect(step.env?.['INPUT_CALIBRATION-CACHE']).toBe('${{ steps.calibration-key.outputs.file }}');
  });

  it('optimizes, writes the manifest, the outputs and the job summary', () => {
    const r = runBundle({ model: MODELS.digits, target: 'fp16\nint8-static', calibration: `pixels=${join(DIGITS, 'calib_inputs.npy')}`, upload: 'false' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const manifest = join(r.dir, 'edgeml-artifacts/manifest.json');
    expect(r.outputs.manifest).toBe(manifest);
    expect(r.outputs.failed).toBe('');
    const dir = join(r.dir, 'edgeml-artifacts');
    expect(r.outputs.artifacts.split('\n')).toEqual([join(dir, 'mlp.fp16.onnx'), join(dir, 'mlp.int8.onnx')]);
    for (const a of r.outputs.artifacts.split('\n')) expect(existsSync(a)).toBe(true);
    expect(r.summary).toMatch(/### edgeml optimize/);
    expect(r.summary).toMatch(/\| int8&#45;static \| ok \|/);
  });

  it('scores the source and every artifact on labelled data with eval-*: a log group each, a table in the summary', () => {
    const r = runBundle({
      model: MODELS.digits, target: 'fp16', upload: 'false',
      'eval-inputs': `pixels=${join(DIGITS, 'test_inputs.npy')}`, 'eval-labels': join(DIGITS, 'test_labels.npy'), 'eval-metric': 'top1,top5',
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const groups = lines.filter((l) => l.startsWith('::group::'));
    expect(groups).toEqual(['::group::Optimize mlp.onnx for fp16', '::group::Evaluate source: mlp.onnx', '::group::Evaluate fp16: mlp.fp16.onnx']);
    const evalGroup = lines.slice(lines.indexOf('::group::Evaluate source: mlp.onnx'));
    // 540 samples in batches of 64: 9 batches, a line each (no more than about ten), inside the group.
    expect(evalGroup.slice(1, evalGroup.indexOf('::endgroup::'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `batch ${i}/9`));
    const accuracy = JSON.parse(r.outputs.accuracy);
    expect(accuracy.source.top1).toBeCloseTo(0.9704, 4);
    expect(accuracy.fp16.top1).toBeCloseTo(0.9704, 4);
    expect(r.summary).toMatch(/accuracy on 540 labelled samples\n\n\| model \| top1 \| top5 \|\n\| :-- \| --: \| --: \|\n\| source \| 97\.04% \| [\d.]+% \|\n\| fp16 \| 97\.04% \|/);
  });

  it('checks eval-* before optimizing: a missing labels file is one line naming the input', () => {
    const r = runBundle({ model: MODELS.digits, target: 'fp16', upload: 'false', 'eval-inputs': join(DIGITS, 'test_inputs.npy'), 'eval-labels': 'nope.npy' });
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual(["::error::input 'eval-labels': nope.npy does not exist; give the .npy file of labels"]);
    expect(existsSync(join(r.dir, 'edgeml-artifacts'))).toBe(false);
  });

  it('fails the step with one line when a target cannot take the model, keeping the others', () => {
    const r = runBundle({ model: MODELS.vadLegacy, target: 'ort-optimized,fp16', input: 'input=1x512\nh=2x1x64\nc=2x1x64', upload: 'false' });
    expect(r.status).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/fp16: node .* \(If\) holds sub-graphs/);
    expect(r.outputs.failed).toBe('fp16');
    expect(r.outputs.artifacts).toBe(join(r.dir, 'edgeml-artifacts/silero_vad_legacy.opt.onnx'));
  });
});
