// `edgeml keys / publish / promote / rollback / refresh` as release managers run them (the built
// bundle): bad input is one line and exit 2 with nothing written, a failed check is exit 1.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { MODELS, ROOT, channelWithRelease, edgeml, failedManifest, otherArtifacts, tempDir } from './helpers.js';

let base: string;
let keys: string;
let repo: string;
let art: string;

function snapshotOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p, `${rel}${f}/`);
      else out[`${rel}${f}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

beforeAll(() => {
  const made = channelWithRelease('edgeml-fleet-cli-');
  ({ base, keys, repo, art } = made);
  const k = made.keysRun;
  expect(k.status).toBe(0);
  // Key ids and public keys are listed; no private key material is printed.
  expect(k.stdout).toMatch(/root-1\.pem +root +keyid [0-9a-f]{64}/);
  expect(k.stdout).not.toContain('PRIVATE');
  const p = made.publishRun;
  expect(p.stderr).toBe('');
  expect(p.status).toBe(0);
  expect(p.stdout).toContain('beta: published digits 1.0.0 (release 1, rollout 10%');
});

describe('bad input: exit 2, one line, nothing published is lost', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['missing keys folder', () => ['--keys', join(base, 'nope')], /--keys .*nope: no such folder/],
    ['wrong key for the role', () => ['--keys', wrongKeys()], /beta\.pem: key [0-9a-f]{12} is not a beta key of this channel/],
    ['bad version', () => ['--version', '1.4'], /--version "1.4": not a semantic version/],
    ['unknown channel', () => ['--channel', 'prod'], /--channel "prod": unknown channel; use one of canary, beta, stable/],
    ['repo not a channel', () => ['--repo', notAChannel()], /not an edgeml channel \(no timestamp\.json\)/],
    ['empty artifacts folder', () => ['--artifacts', tempDir()], /no artifacts to publish/],
    ['bad rollout', () => ['--rollout', '150'], /^--rollout "150": expected a whole percentage from 0 to 100, such as 10$/],
    // What the core says about the request names the flags.
    ['a version already there with other files', () => ['--version', '1.0.0', '--artifacts', otherArtifacts()],
      /^--version 1\.0\.0: digits 1\.0\.0 is already on beta with other files; publish a new version$/],
    ['a version already there at another rollout', () => ['--version', '1.0.0', '--rollout', '25'],
      /^--rollout 25: digits 1\.0\.0 is already on beta at 10%; change it with 'edgeml promote'$/],
    ['a manifest with a failed artifact', () => ['--artifacts', '', '--manifest', failedManifest()],
      /^--manifest \S+manifest\.json: artifact int8-static failed \(int8-static needs representative inputs: .+\); fix it, or pass --force to publish the other targets$/],
    ['an artifacts folder that is not there', () => ['--artifacts', join(base, 'nope')], /^--artifacts \S+nope: no such folder; give the folder of model files to publish$/],
    ['nothing to publish', () => ['--artifacts', ''], /^nothing to publish: give --artifacts \(a folder, one file per target\) or --manifest \(manifest\.json from optimize\)$/],
    ['results of another model', () => ['--results', join(ROOT, 'test/fixtures/results/digits.json'), '--artifacts', otherArtifacts()],
      /^--results \S+digits\.json: measures a model \(sha256 [0-9a-f]{12}\) that is not one of the artifacts; give results of the published files$/],
  ];
  test.each(cases)('%s', (_name, override, message) => {
    const before = snapshotOf(repo);
    const flags: Record<string, string> = { '--repo': repo, '--keys': keys, '--channel': 'beta', '--version': '1.1.0', '--artifacts': art, '--model': 'digits' };
    const extra = override();
    for (let i = 0; i < extra.length; i += 2) flags[extra[i]] = extra[i + 1];
    const r = edgeml(['publish', ...Object.entries(flags).filter(([, v]) => v !== '').flat()]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().replace(/^edgeml: error: /, '')).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(snapshotOf(repo)).toEqual(before);
  });

  test('a missing channel key names the file and the fix', () => {
    const partial = join(base, 'ci-keys');
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    for (const f of ['public.json', 'snapshot.pem', 'timestamp.pem']) copyFileSync(join(keys, f), join(partial, f));
    for (const f of ['snapshot.pem', 'timestamp.pem']) chmodSync(join(partial, f), 0o600);
    const r = edgeml(['publish', '--repo', repo, '--keys', partial, '--channel', 'beta', '--version', '1.1.0', '--artifacts', art]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ci-keys\/beta\.pem: missing; the beta key is needed to sign/);
  });

  test.each([
    ['no --out', [], /^edgeml: error: --out is required: the folder to create the keys in, e.g. edgeml keys init --out keys$/],
    ['--root-keys 0', ['--root-keys', '0'], /^edgeml: error: --root-keys "0": expected a whole number of at least 1$/],
    ['--threshold x', ['--threshold', 'x'], /^edgeml: error: --threshold "x": expected a whole number of at least 1$/],
  ] as const)('keys init refuses %s with one line, nothing written', (name, flags, message) => {
    const out = join(tempDir(), 'k');
    const r = edgeml(['keys', 'init', ...(name === 'no --out' ? [] : ['--out', out]), ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

function wrongKeys(): string {
  const other = join(tempDir(), 'k');
  expect(edgeml(['keys', 'init', '--out', other]).status).toBe(0);
  return other;
}

function notAChannel(): string {
  const d = tempDir();
  writeFileSync(join(d, 'index.html'), '<p>hello</p>');
  return d;
}

test('a failed check refuses the release and names the budgets; --force publishes it', () => {
  // A real check document: edgeml check on a real results document, one error budget failing.
  const config = join(base, 'edgeml.yml');
  writeFileSync(config, ['budgets:', '  - limits:', '      latency.p90: 1us', '  - level: warn', '    limits:', '      memory.peak: 1MB', '  - limits:', '      size: 10MB', ''].join('\n'));
  const check = join(base, 'check.json');
  const c = edgeml(['check', '--config', config, '--results', join(ROOT, 'test/fixtures/results/digits.json'), '--json', check]);
  expect(c.status).toBe(1);
  const args = ['publish', '--repo', repo, '--keys', keys, '--channel', 'beta', '--version', '1.1.0', '--artifacts', art, '--model', 'digits', '--check', check];
  const before = snapshotOf(repo);
  const r = edgeml(args);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/the check failed \(latency\.p90 of mlp\.onnx source on .+: .+ vs limit 1us\); fix the budgets, or pass --force/);
  expect(r.stderr).not.toContain('memory.peak');
  expect(snapshotOf(repo)).toEqual(before);
  const f = edgeml([...args, '--force']);
  expect(f.status).toBe(0);
  expect(f.stdout).toContain('published digits 1.1.0 (release 2');
});

test('publish from an optimize manifest checks hashes and carries fidelity metrics', () => {
  // A real manifest from edgeml optimize.
  const dir = join(base, 'opt');
  const manifest = join(base, 'manifest.json');
  const o = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized', '--out', dir, '--json', manifest]);
  expect(o.status).toBe(0);
  const json = join(base, 'published.json');
  const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'canary', '--version', '2.0.0', '--manifest', manifest, '--model', 'digits', '--json', json]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = JSON.parse(readFileSync(json, 'utf8'));
  expect(out.targets[0]).toMatchObject({ target: 'ort-optimized', metrics: { cosine: expect.any(String), top1Agreement: '1' } });
  const doc = JSON.parse(readFileSync(manifest, 'utf8'));
  doc.artifacts[0].sha256 = '0'.repeat(64);
  writeFileSync(manifest, JSON.stringify(doc));
  const bad = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'canary', '--version', '2.0.1', '--manifest', manifest, '--model', 'digits']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/does not match its sha256 in the manifest/);
  writeFileSync(manifest, JSON.stringify({ artifacts: [] }));
  const notManifest = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'canary', '--version', '2.0.1', '--manifest', manifest, '--model', 'digits']);
  expect(notManifest.status).toBe(2);
  expect(notManifest.stderr.trim()).toMatch(/manifest\.json: not an edgeml optimize manifest document \(.+\); regenerate it with 'edgeml optimize --json manifest\.json'$/);
});

test('promote, rollback and refresh from the command line', () => {
  const common = ['--repo', repo, '--keys', keys];
  const p = edgeml(['promote', ...common, '--channel', 'stable', '--version', '1.0.0', '--rollout', '50']);
  expect(p.status).toBe(0);
  expect(p.stdout).toContain('stable: promoted digits 1.0.0 (release 1, rollout 50%');
  const r = edgeml(['rollback', ...common, '--channel', 'beta']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('beta: rolled back to digits 1.0.0 (release 3, rollout 100%');
  const none = edgeml(['rollback', ...common, '--channel', 'stable']);
  expect(none.status).toBe(2);
  expect(none.stderr.trim()).toBe('edgeml: error: --channel stable: digits has no earlier release to roll back to; publish a fixed version instead');
  const missing = edgeml(['promote', ...common, '--channel', 'stable', '--version', '9.9.9']);
  expect(missing.status).toBe(2);
  expect(missing.stderr.trim()).toBe("edgeml: error: --version 9.9.9: no release 9.9.9 on beta or canary; publish it there first with 'edgeml publish'");
  const ts = JSON.parse(readFileSync(join(repo, 'timestamp.json'), 'utf8')).signed.version;
  const f = edgeml(['refresh', ...common]);
  expect(f.status).toBe(0);
  expect(JSON.parse(readFileSync(join(repo, 'timestamp.json'), 'utf8')).signed.version).toBe(ts + 1);
});
