// Accuracy and fidelity in the results document, end to end as users run it on the digits MLP:
// edgeml bench -> edgeml eval --results -> edgeml check with accuracy and fidelity budgets.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateBudgets } from '../src/budgets/index.js';
import { parseConfig } from '../src/config/index.js';
import { resultsSchema, type BenchResults } from '../src/results/index.js';
import { schemaProblem } from '../src/documents/index.js';
import { DIGITS, MODELS, QUICK, edgeml, tempDir } from './helpers.js';

const TEST_X = join(DIGITS, 'test_inputs.npy');
const TEST_Y = join(DIGITS, 'test_labels.npy');

const dir = tempDir();
// The config names the model by its file, as a repository would (mlp.onnx next to edgeml.yml).
const model = join(dir, 'mlp.onnx');
copyFileSync(MODELS.digits, model);
const results = join(dir, 'results.json');
expect(edgeml(['bench', model, ...QUICK, '--json', results]).status).toBe(0);

function config(name: string, limits: string): string {
  const file = join(dir, name);
  writeFileSync(file, `version: 1\nmodels:\n  digits:\n    path: mlp.onnx\nbudgets:\n  - model: digits\n    limits:\n${limits}`);
  return file;
}

describe('edgeml eval --results', () => {
  it('merges accuracy and fidelity into the bench results, and budgets hold them', () => {
    const before = edgeml(['check', '--config', config('early.yml', '      accuracy.top1: 95%\n'), '--results', results, '--json', join(dir, 'early.json')]);
    // Not judged at level error fails: an accuracy budget with no accuracy in the results is never a pass.
    expect(before.status, before.stderr).toBe(1);
    const early = JSON.parse(readFileSync(join(dir, 'early.json'), 'utf8'));
    expect(early.checks[0]).toMatchObject({ key: 'accuracy.top1', status: 'not judged', outcome: 'failure' });
    expect(early.checks[0].note).toMatch(/no dataset with labels was evaluated on this model .*edgeml eval --results/);

    const r = edgeml(['eval', '--model', model, '--inputs', TEST_X, '--labels', TEST_Y, '--metric', 'top1,top5', '--reference', model, '--results', results, '--json', join(dir, 'eval.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/accuracy and fidelity merged into .*results\.json/);
    const doc = JSON.parse(readFileSync(results, 'utf8')) as BenchResults;
    expect(schemaProblem(resultsSchema, doc)).toBeNull();
    expect(doc.accuracy!.top1).toBeCloseTo(0.9704, 4);
    expect(doc.accuracy!.dataset).toMatchObject({ path: TEST_X, samples: 540, labels: { path: TEST_Y } });
    expect(doc.accuracy!.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.fidelity).toMatchObject({ cosine: 1, maxAbsError: 0, top1Agreement: 1, samples: 540, reference: { sha256: doc.model.sha256 } });
    // The eval document is still written on its own, with the same dataset.
    expect(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')).dataset).toEqual(doc.accuracy!.dataset);

    const pass = edgeml(['check', '--config', config('pass.yml', '      accuracy.top1: 95%\n      accuracy.top5: 0.99\n      fidelity.top1Agreement: 99%\n      fidelity.maxAbsError: 0.01\n'), '--results', results]);
    expect(pass.status, pass.stdout + pass.stderr).toBe(0);
    const fail = edgeml(['check', '--config', config('fail.yml', '      accuracy.top1: 99%\n'), '--results', results, '--json', join(dir, 'fail.json')]);
    expect(fail.status).toBe(1);
    const failed = JSON.parse(readFileSync(join(dir, 'fail.json'), 'utf8'));
    expect(failed.checks[0]).toMatchObject({ key: 'accuracy.top1', status: 'fail', outcome: 'failure', limit: 0.99 });
    expect(failed.checks[0].value).toBeCloseTo(0.9704, 4);
  });

  it('adds metrics measured on the same data; says which metrics it holds when one is missing', () => {
    const r = edgeml(['eval', '--model', model, '--inputs', TEST_X, '--labels', TEST_Y, '--metric', 'top1', '--results', results]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(results, 'utf8')) as BenchResults;
    expect(Object.keys(doc.accuracy!).sort()).toEqual(['dataset', 'top1', 'top5']);
    const cfg = parseConfig('budgets:\n  - limits:\n      accuracy.mae: ">= 0.1"\n      fidelity.cosine: 0.999\n', join(dir, 'x.yml'));
    const rows = evaluateBudgets(cfg, [{ file: results, doc }]);
    expect(rows[0]).toMatchObject({ status: 'not judged' });
    expect(rows[0].note).toMatch(/no accuracy\.mae in the results \(it holds accuracy\.top1, accuracy\.top5\): .* --metric mae/);
    expect(rows[1]).toMatchObject({ key: 'fidelity.cosine', status: 'pass', value: 1 });
    // A NaN output (maxAbsError null) fails a maxAbsError budget; a non-classifier leaves top1Agreement out.
    const nan = { ...doc, fidelity: { ...doc.fidelity!, maxAbsError: null, top1Agreement: null } };
    expect(schemaProblem(resultsSchema, nan)).toBeNull();
    const rows2 = evaluateBudgets(parseConfig('budgets:\n  - limits:\n      fidelity.maxAbsError: 0.1\n      fidelity.top1Agreement: 0.9\n', join(dir, 'y.yml')), [{ file: results, doc: nan }]);
    expect(rows2.map((x) => [x.status, x.direction])).toEqual([['fail', 'max'], ['not judged', 'min']]);
  });

  it('refuses the results of another model file (exit 2, one line) and leaves them as they were', () => {
    const other = join(dir, 'other.json');
    expect(edgeml(['bench', MODELS.conv1, ...QUICK, '--json', other]).status).toBe(0);
    const before = readFileSync(other, 'utf8');
    const r = edgeml(['eval', '--model', model, '--inputs', TEST_X, '--labels', TEST_Y, '--metric', 'top1', '--results', other]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--results .*other\.json: measured conv-1\.onnx \(sha256 [0-9a-f]{12}\), not .*mlp\.onnx \(sha256 [0-9a-f]{12}\); give the results of 'edgeml bench' on the same model file/);
    expect(r.stdout).toBe('');
    expect(readFileSync(other, 'utf8')).toBe(before);
    const missing = edgeml(['eval', '--model', model, '--inputs', TEST_X, '--labels', TEST_Y, '--metric', 'top1', '--results', join(dir, 'nope.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: no such results file/);
  });
});

describe('edgeml eval as a workflow step', () => {
  it('logs its batches inside a log group, then the metrics', () => {
    const r = edgeml(['eval', '--model', model, '--inputs', TEST_X, '--labels', TEST_Y, '--metric', 'top1', '--batch-size', '20'], { GITHUB_ACTIONS: 'true' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // 540 samples in 27 batches of 20: a line about every tenth (every 3 batches), the last always.
    expect(lines[0]).toBe(`::group::edgeml eval ${model}`);
    expect(lines.slice(1, lines.indexOf('::endgroup::'))).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27].map((i) => `batch ${i}/27`));
    expect(lines.slice(lines.indexOf('::endgroup::') + 1)).toEqual([`${model} on 540 samples`, 'top1: 97.04%']);
  });
});
