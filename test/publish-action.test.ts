// The publish action as the runner drives it: the built bundle with INPUT_* variables, keys
// passed as secrets, the release notes in the job summary.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expect, test } from 'vitest';
import { releaseVersion } from '../src/actions/publish.js';
import { MODELS, ROOT, edgeml, tempDir } from './helpers.js';

const action = parse(readFileSync(join(ROOT, 'actions/publish/action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>; runs: { using: string; main: string };
};

function runBundle(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const dir = tempDir('edgeml-publish-action-');
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const full: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...files, ...env };
  for (const [name, spec] of Object.entries(action.inputs)) full[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/publish/index.js')], { cwd: dir, env: full, encoding: 'utf8', timeout: 120_000 });
  const outputs: Record<string, string> = {};
  for (const m of readFileSync(files.GITHUB_OUTPUT, 'utf8').matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
  return { ...r, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
}

test('action.yml runs the publish bundle on node24', () => {
  expect(action.runs).toEqual({ using: 'node24', main: '../../dist/publish/index.js' });
});

test('the version comes from the tag unless given', () => {
  expect(releaseVersion('', 'refs/tags/v1.4.0')).toBe('1.4.0');
  expect(releaseVersion('2.0.0', 'refs/tags/v1.4.0')).toBe('2.0.0');
  expect(() => releaseVersion('', 'refs/heads/main')).toThrow(/not on a tag/);
  expect(() => releaseVersion('', 'refs/tags/latest')).toThrow(/not a semantic version/);
});

test('on a tag it publishes with keys from secrets, masks them, and writes the release notes', () => {
  const base = tempDir();
  const keys = join(base, 'keys');
  const repo = join(base, 'channel');
  const art = join(base, 'art');
  mkdirSync(art);
  copyFileSync(MODELS.digits, join(art, 'cpu-int8.onnx'));
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  // The channel exists already (created once with the offline root keys).
  expect(edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'canary', '--version', '0.1.0', '--artifacts', art, '--model', 'digits']).status).toBe(0);
  const secrets = { 'channel-key': readFileSync(join(keys, 'beta.pem'), 'utf8'), 'snapshot-key': readFileSync(join(keys, 'snapshot.pem'), 'utf8'), 'timestamp-key': readFileSync(join(keys, 'timestamp.pem'), 'utf8') };
  const r = runBundle({ repo, channel: 'beta', model: 'digits', artifacts: art, rollout: '25', ...secrets }, { GITHUB_REF: 'refs/tags/v1.4.0' });
  expect(r.stdout).not.toContain('::error::');
  expect(r.status).toBe(0);
  expect(r.outputs).toMatchObject({ status: 'published', version: '1.4.0', release: '1' });
  expect(r.summary).toContain('### digits 1.4.0 on beta (published, release 1, rollout 25%)');
  expect(r.summary).toMatch(/\| cpu-int8 \| 67\.9 KiB \| `[0-9a-f]{12}` \|/);
  // Key material appears only in the ::add-mask:: commands that tell the runner to hide it.
  const body = secrets['channel-key'].split('\n')[1];
  const leaks = r.stdout.split('\n').filter((l) => l.includes(body) && !l.startsWith('::add-mask::'));
  expect(leaks).toEqual([]);
  expect(r.stdout).toContain('::add-mask::');
});

test('a missing key secret fails the step with one line naming the input', () => {
  const art = tempDir();
  copyFileSync(MODELS.digits, join(art, 'cpu-int8.onnx'));
  const r = runBundle({ repo: tempDir(), channel: 'beta', artifacts: art, version: '1.0.0' });
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/::error::input 'channel-key' is empty; pass the beta\.pem key from a secret/);
});
