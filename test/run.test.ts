// `edgeml run` as users run it: the built bundle on the example config, on a git repository with a
// base commit, and on every kind of bad input (exit 2, one line naming the file, line and key).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCompare } from '../src/compare/index.js';
import { readResults } from '../src/results/index.js';
import { ROOT, edgeml, tempDir } from './helpers.js';

const DIGITS = join(ROOT, 'examples/digits');

/** A repository holding the digits model and a config with short measurements. */
function digitsRepo(config: string): string {
  const dir = tempDir('edgeml-run-');
  mkdirSync(join(dir, 'models'));
  for (const f of ['mlp.onnx', 'test_inputs.npy', 'test_labels.npy', 'calib_inputs.npy']) copyFileSync(join(DIGITS, f), join(dir, 'models', f));
  writeFileSync(join(dir, 'edgeml.yml'), config);
  return dir;
}

const QUICK_CONFIG = `version: 1
models:
  digits:
    path: models/mlp.onnx
    data: [pixels=models/test_inputs.npy]
benchmark:
  warmup: 2
  min-iterations: 70
  min-duration: 300ms
  max-duration: 5s
compare:
  min-duration: 200ms
  max-duration: 4s
  min-rounds: 2
budgets:
  - model: digits
    limits:
      latency.p90: 1s
`;

/** digitsRepo committed as the base commit (HEAD). */
function digitsGitRepo(config: string): string {
  const dir = digitsRepo(config);
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  return dir;
}

/** QUICK_CONFIG with two targets (int8-static calibrated) and the given compare.artifacts line. */
const targetsConfig = (artifacts: string) => QUICK_CONFIG
  .replace('    data: [pixels=models/test_inputs.npy]\n', '    data: [pixels=models/test_inputs.npy]\n    calibration: [pixels=models/calib_inputs.npy]\ntargets: [ort-optimized, int8-static]\n')
  .replace('compare:\n', `compare:\n${artifacts}`);

describe('edgeml run', () => {
  it('runs the example config: artifacts, results, evaluation, budgets, report and a summary table', () => {
    const out = join(tempDir(), 'results');
    const r = edgeml(['run', '--config', join(ROOT, 'examples/edgeml.yml'), '--out', out, '--json', join(out, '..', 'run.json')]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| model +\| target +\| device/);
    expect(r.stdout).toMatch(/\| digits +\| int8-static +\|/);
    expect(r.stdout).toContain('verdict: pass');
    expect(r.stderr).toContain('== Optimize digits: ort-optimized, int8-static');
    const int8 = readResults(join(out, 'results/digits-int8-static.json'));
    expect(int8.target).toBe('int8-static');
    expect(int8.accuracy?.top1).toBeGreaterThan(0.95);
    expect(int8.fidelity?.top1Agreement).toBeGreaterThan(0.95);
    expect(readResults(join(out, 'results/digits-source.json')).accuracy?.top1).toBeCloseTo(0.9704, 3);
    expect(existsSync(join(out, 'artifacts/digits/manifest.json'))).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/edgeml report: \*\*pass\*\*/);
    const summary = JSON.parse(readFileSync(join(out, '..', 'run.json'), 'utf8'));
    expect(summary.verdict).toBe('pass');
    expect(summary.rows).toHaveLength(3);
  });

  it('compares each model with its version in the base commit (git show)', () => {
    const dir = digitsGitRepo(QUICK_CONFIG);
    const out = join(dir, 'out');
    const r = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--base-ref', 'HEAD', '--out', out]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const cmp = readCompare(join(out, 'compare/digits.json'));
    expect(cmp.base.model.sha256).toBe(cmp.head.model.sha256);
    // What is measured from benchmark:, how long each measurement lasts from compare: (or compare's default).
    expect(cmp.settings).toMatchObject({ warmup: 2, minIterations: 50, minDurationMs: 200 });
    expect(r.stderr).toContain('== Compare digits with the base');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('base → head');
  });

  it('with compare.artifacts, optimizes the base too and compares each target\'s artifact with the base\'s', () => {
    const dir = digitsGitRepo(targetsConfig('  artifacts: true\n'));
    const out = join(dir, 'out');
    const r = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--base-ref', 'HEAD', '--out', out, '--json', join(dir, 'run.json')]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(readdirSync(join(out, 'compare')).sort()).toEqual(['digits-int8-static.json', 'digits-ort-optimized.json', 'digits.json']);
    expect(readCompare(join(out, 'compare/digits.json')).target).toBeUndefined();
    for (const target of ['ort-optimized', 'int8-static']) {
      const cmp = readCompare(join(out, `compare/digits-${target}.json`));
      expect(cmp.target).toBe(target);
      // Base: the base commit's model made into the same target with the head's settings; head: this run's artifact.
      expect(cmp.base.model.path).toContain(join(out, 'base/digits/artifacts'));
      expect(cmp.head.model.path).toContain(join(out, 'artifacts/digits'));
      expect(cmp.head.model.sha256).toBe(readResults(join(out, `results/digits-${target}.json`)).model.sha256);
      expect(r.stderr).toContain(`== Compare digits ${target} with the base's ${target}`);
    }
    expect(r.stderr).toContain('== Optimize digits (base): ort-optimized, int8-static');
    expect(existsSync(join(out, 'base/digits/artifacts/manifest.json'))).toBe(true);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/comparisons: .*3 /);
    // One row per target in the model table, each with its own base → head and verdict.
    for (const target of ['source', 'ort&#45;optimized', 'int8&#45;static']) {
      expect(md).toMatch(new RegExp(`^\\| ${target} +\\| [^|]+\\| [^|]+ → [^|]+\\|.*\\| (✅ unchanged|🚀 faster|❔ inconclusive|❌ slower) +\\|`, 'm'));
    }
    const summary = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(summary.files.compare).toHaveLength(3);
    expect(summary.rows.filter((row: { verdict?: string }) => row.verdict)).toHaveLength(3);
  });

  it('without compare.artifacts, compares only the source model, as before', () => {
    const dir = digitsGitRepo(targetsConfig('  artifacts: false\n'));
    const out = join(dir, 'out');
    const r = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--base-ref', 'HEAD', '--out', out]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(readdirSync(join(out, 'compare'))).toEqual(['digits.json']);
    expect(readdirSync(join(out, 'base/digits'))).toEqual(['mlp.onnx']);
    expect(r.stderr).not.toContain('(base)');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/^\| int8&#45;static +\|.*\| +not compared +\|/m);
    expect(md).toMatch(/comparisons: 1 /);
  });

  it('exits 1 when a budget fails, after writing the report', () => {
    const dir = digitsRepo(QUICK_CONFIG.replace('latency.p90: 1s', 'latency.p90: 1ns\n      size: 1KB'));
    const r = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--out', join(dir, 'out')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('verdict: fail');
    expect(r.stderr).toMatch(/^edgeml: \d+ failures?: digits source on .*size fail/m);
    expect(readFileSync(join(dir, 'out/report.md'), 'utf8')).toMatch(/edgeml report: \*\*fail\*\*/);
  });

  it('inspects each model for the runtimes its compat budgets name; --inspect false leaves them not judged, failing the run', () => {
    const config = QUICK_CONFIG.replace('      latency.p90: 1s\n', '      latency.p90: 1s\n      compat.nnapi.unsupported: 0\n      compat.tflite.coverage: 100%\n');
    const dir = digitsRepo(config);
    const out = join(dir, 'out');
    const r = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--out', out, '--json', join(dir, 'run.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('== Inspect digits: nnapi, tflite');
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.files.inspect).toEqual([join(out, 'inspect/digits.json')]);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/#### Operator compatibility: digits\n\n\| target +\| runs whole .*\n.*\n\| nnapi +\| ✅ yes +\| 5\/5 \(100%\)/);

    const off = edgeml(['run', '--config', join(dir, 'edgeml.yml'), '--out', out, '--inspect', 'false', '--json', join(dir, 'off.json')]);
    expect(off.status).toBe(1);
    expect(existsSync(join(out, 'inspect'))).toBe(false);
    const failures = JSON.parse(readFileSync(join(dir, 'off.json'), 'utf8')).failures;
    expect(failures).toEqual(['digits on nnapi: compat.nnapi.unsupported not judged', 'digits on tflite: compat.tflite.coverage not judged']);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('> 🚫 nnapi: not inspected: inspection is turned off &#40;&#45;&#45;inspect false&#41;');
  });

  const bad: Array<[string, (dir: string) => string[], RegExp]> = [
    ['a missing config', (d) => ['--config', join(d, 'nope.yml')], /nope\.yml: no such config file; create it/],
    ['an invalid config', (d) => (writeFileSync(join(d, 'bad.yml'), 'models:\n  digits:\n    path: models/mlp.onnx\n    inputs: [x=1]\n'), ['--config', join(d, 'bad.yml')]),
      /bad\.yml:4:5: models\.digits\.inputs: unknown key; expected one of path, input, dim, data, calibration, targets \(did you mean 'input'\?\)$/],
    ['a model path that does not exist', (d) => (writeFileSync(join(d, 'm.yml'), 'models:\n  digits:\n    path: models/mlp2.onnx\n'), ['--config', join(d, 'm.yml')]),
      /m\.yml:3:11: models\.digits\.path: .*mlp2\.onnx does not exist; fix the path \(relative to .*m\.yml\)/],
    ['a dataset file that does not exist', (d) => (writeFileSync(join(d, 'ds.yml'), 'models:\n  digits:\n    path: models/mlp.onnx\ndatasets:\n  t:\n    inputs: x.npy\n'), ['--config', join(d, 'ds.yml')]),
      /ds\.yml:6:13: datasets\.t\.inputs: .*x\.npy does not exist/],
    ['a compare setting out of range', (d) => (writeFileSync(join(d, 'c.yml'), QUICK_CONFIG.replace('compare:\n', 'compare:\n  threshold: 100%\n')), ['--config', join(d, 'c.yml')]),
      /c\.yml:12:14: compare\.threshold 100%: expected a percentage between 0% and 100%, such as 5%$/],
    ['a compare.artifacts that is not true or false', (d) => (writeFileSync(join(d, 'a.yml'), QUICK_CONFIG.replace('compare:\n', 'compare:\n  artifacts: yes\n')), ['--config', join(d, 'a.yml')]),
      /a\.yml:12:14: compare\.artifacts: expected boolean, got "yes"$/],
    ['an inspect: runtime with no table', (d) => (writeFileSync(join(d, 'i.yml'), `inspect: [nnapi, corem]\n${QUICK_CONFIG}`), ['--config', join(d, 'i.yml')]),
      /i\.yml:1:10: inspect: 'corem' is not a runtime edgeml inspect has a table for \(nnapi, .*\); did you mean 'coreml'\?$/],
    ['an inspect: that is neither a list nor false', (d) => (writeFileSync(join(d, 'j.yml'), `inspect: true\n${QUICK_CONFIG}`), ['--config', join(d, 'j.yml')]),
      /j\.yml:1:10: inspect: true: name the runtimes \(inspect: \[nnapi, coreml\]\), or write false for none$/],
    ['an --inspect runtime with no table', (d) => ['--config', join(d, 'edgeml.yml'), '--inspect', 'nnapi,tensorrtt'],
      /--inspect nnapi,tensorrtt: 'tensorrtt' is not a runtime edgeml inspect has a table for .*; did you mean 'tensorrt'\?$/],
    ['an empty --inspect', (d) => ['--config', join(d, 'edgeml.yml'), '--inspect', ''], /--inspect: give runtimes \(--inspect nnapi,coreml\) or false/],
    ['a base commit that is not there', (d) => ['--config', join(d, 'edgeml.yml'), '--base-ref', 'f00dfeed'], /--base-ref f00dfeed: no such commit in the git repository at .*; fetch it/],
    ['a base folder that is not there', (d) => ['--config', join(d, 'edgeml.yml'), '--base-model', join(d, 'base')], /--base-model .*base: no such folder/],
  ];
  it.each(bad)('exits 2 with one line for %s', (_what, args, message) => {
    const dir = digitsRepo(QUICK_CONFIG);
    const r = edgeml(['run', ...args(dir), '--out', join(dir, 'out')]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^edgeml: error: /);
    expect(lines[0]).toMatch(message);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
