// A model checked out as a Git LFS pointer (actions/checkout without `lfs: true`) is named as such,
// with the fix, exit 2, before anything is measured or written: at head and in the base commit.
// The pointers are made by git-lfs itself.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIGITS, edgeml, tempDir } from './helpers.js';
import { tool } from './tools.js';

const gitLfs = tool('git-lfs', 'git-lfs');

const CONFIG = `version: 1
models:
  digits:
    path: models/mlp.onnx
    data: [pixels=models/test_inputs.npy]
benchmark:
  warmup: 2
  min-iterations: 20
  min-duration: 100ms
  max-duration: 2s
compare:
  min-duration: 100ms
  max-duration: 2s
  min-rounds: 2
`;

/** git with no system or user configuration: no lfs filter unless the repository installs one. */
function gitIn(home: string) {
  const env = { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
  return { env, git: (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { env, stdio: 'pipe' }).toString() };
}

/** A repository whose models/mlp.onnx is stored with Git LFS, and its clone without the LFS objects. */
function lfsRepos() {
  const base = tempDir('edgeml-lfs-');
  const { env, git } = gitIn(join(base, 'home'));
  mkdirSync(join(base, 'home'));
  const origin = join(base, 'origin');
  mkdirSync(join(origin, 'models'), { recursive: true });
  git(origin, 'init', '-q');
  git(origin, 'lfs', 'install', '--local');
  git(origin, 'lfs', 'track', '*.onnx');
  copyFileSync(join(DIGITS, 'mlp.onnx'), join(origin, 'models/mlp.onnx'));
  copyFileSync(join(DIGITS, 'test_inputs.npy'), join(origin, 'models/test_inputs.npy'));
  writeFileSync(join(origin, 'edgeml.yml'), CONFIG);
  git(origin, 'add', '.');
  git(origin, 'commit', '-q', '-m', 'digits in LFS');
  // What actions/checkout does without `lfs: true`: a clone with no lfs filter, pointers on disk.
  const clone = join(base, 'clone');
  git(base, 'clone', '-q', origin, clone);
  return { base, env, git, origin, clone };
}

function expectPointerRefusal(r: { status: number | null; stderr: string }, names: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  expect(r.status, r.stderr).toBe(2);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^edgeml: error: /);
  expect(lines[0]).toMatch(names);
  expect(lines[0]).toMatch(/is a Git LFS pointer \(sha256:[0-9a-f]{64}, 69572 bytes\), not the model; .*'lfs: true' on actions\/checkout/);
}

describe.skipIf(!gitLfs)('Git LFS pointers', () => {
  it('a clone without the LFS objects holds pointers (the premise of the tests below)', () => {
    const { clone } = lfsRepos();
    expect(readFileSync(join(clone, 'models/mlp.onnx'), 'utf8')).toMatch(/^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:/);
  });

  it('bench refuses a pointer at head and writes no results', () => {
    const { clone } = lfsRepos();
    const json = join(clone, 'bench.json');
    const r = edgeml(['bench', '--model', join(clone, 'models/mlp.onnx'), '--data', `pixels=${join(clone, 'models/test_inputs.npy')}`, '--json', json]);
    expectPointerRefusal(r, /models\/mlp\.onnx: is a Git LFS pointer/);
    expect(existsSync(json)).toBe(false);
  });

  it('run refuses a pointer at head before optimizing, measuring or creating --out', () => {
    const { clone } = lfsRepos();
    const out = join(clone, 'out');
    const r = edgeml(['run', '--config', join(clone, 'edgeml.yml'), '--out', out]);
    expectPointerRefusal(r, /clone\/models\/mlp\.onnx: is a Git LFS pointer/);
    expect(existsSync(out)).toBe(false);
  });

  it('run refuses a base commit whose model is a pointer, before measuring the head', () => {
    const { clone, env } = lfsRepos();
    // Head holds the real model (as after `git lfs pull`), the base commit only the pointer.
    copyFileSync(join(DIGITS, 'mlp.onnx'), join(clone, 'models/mlp.onnx'));
    const out = join(clone, 'out');
    const r = edgeml(['run', '--config', join(clone, 'edgeml.yml'), '--base-ref', 'HEAD', '--out', out], env);
    expectPointerRefusal(r, /--base-ref HEAD: models\/mlp\.onnx: is a Git LFS pointer/);
    expect(existsSync(out)).toBe(false);
  });

  it('with the LFS filter installed the base is read through it and compared', () => {
    const { origin, env } = lfsRepos();
    const out = join(origin, 'out');
    const r = edgeml(['run', '--config', join(origin, 'edgeml.yml'), '--base-ref', 'HEAD', '--out', out], env);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, 'compare/digits.json'))).toBe(true);
    expect(readFileSync(join(out, 'base/digits/mlp.onnx')).equals(readFileSync(join(DIGITS, 'mlp.onnx')))).toBe(true);
  });
});
