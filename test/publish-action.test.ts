// The publish action as the runner drives it: the built bundle with INPUT_* variables, keys
// passed as secrets, the release notes in the job summary; with mender, signed Mender Artifacts
// that Debian's mender-artifact validates.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { releaseVersion } from '../src/actions/publish.js';
import { tool } from './tools.js';
import { ACTION_NODE, MODELS, ROOT, artifactsOf, channelWithRelease, edgeml, failedManifest, otherArtifacts, tempDir } from './helpers.js';

const action = parse(readFileSync(join(ROOT, 'actions/publish/action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>; runs: { using: string; main: string };
};

function runBundle(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const dir = tempDir('edgeml-publish-action-');
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const full: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...files, ...env };
  for (const [name, spec] of Object.entries(action.inputs)) full[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  const r = spawnSync(ACTION_NODE, [join(ROOT, 'dist/publish/index.js')], { cwd: dir, env: full, encoding: 'utf8', timeout: 120_000 });
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

describe('mender inputs', () => {
  const TOOL = tool('mender-artifact', 'mender-artifact');
  let base: string;
  let keys: string;
  let art: string;
  const mender = { priv: '', pub: '' };

  beforeAll(() => {
    base = tempDir('edgeml-publish-mender-');
    keys = join(base, 'keys');
    expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
    art = join(base, 'art');
    mkdirSync(art);
    copyFileSync(MODELS.digits, join(art, 'cpu-fp32.onnx'));
    copyFileSync(MODELS.wakeword, join(art, 'cpu-int8.onnx'));
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    mender.priv = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    mender.pub = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    writeFileSync(join(base, 'mender.pub'), mender.pub);
  });

  describe.skipIf(!TOOL)('with mender-artifact', () => {
    test('mender: true writes a signed artifact per target through the store, in the outputs and the summary', () => {
      const repo = join(base, 'channel');
      const tmp = join(base, 'tmp');
      mkdirSync(tmp);
      const secrets = { 'channel-key': readFileSync(join(keys, 'beta.pem'), 'utf8'), 'snapshot-key': readFileSync(join(keys, 'snapshot.pem'), 'utf8'), 'timestamp-key': readFileSync(join(keys, 'timestamp.pem'), 'utf8') };
      // The channel exists already (created once with the offline root keys).
      expect(edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'canary', '--version', '0.1.0', '--artifacts', art, '--model', 'digits']).status).toBe(0);
      const inputs = {
        repo, channel: 'beta', model: 'digits', artifacts: art, version: '1.4.0', ...secrets,
        mender: 'true', 'mender-key': mender.priv, 'mender-device-types': 'raspberrypi4, jetson-orin',
      };
      const r = runBundle(inputs, { TMPDIR: tmp });
      expect(r.stdout).not.toContain('::error::');
      expect(r.status).toBe(0);
      const paths = ['mender/beta/digits/1.4.0/cpu-fp32.mender', 'mender/beta/digits/1.4.0/cpu-int8.mender'];
      expect(r.outputs).toMatchObject({ status: 'published', 'mender-artifacts': paths.join('\n') });
      for (const [i, path] of paths.entries()) {
        expect(r.summary).toContain(`- \`${path}\``);
        const file = join(repo, path);
        const ok = spawnSync(TOOL as string, ['validate', '-k', join(base, 'mender.pub'), file], { encoding: 'utf8' });
        expect(ok.stderr + ok.stdout).toMatch(/validated successfully/);
        expect(ok.status).toBe(0);
        const read = spawnSync(TOOL as string, ['read', file], { encoding: 'utf8' }).stdout;
        expect(read).toMatch(new RegExp(`Name: digits-1\\.4\\.0-${['cpu-fp32', 'cpu-int8'][i]}`));
        expect(read).toMatch(/Compatible devices: '\[raspberrypi4 jetson-orin\]'/);
      }
      expect(r.summary).toContain('Mender Artifacts (signed):');
      // Key material appears only in the ::add-mask:: commands that tell the runner to hide it.
      const body = mender.priv.split('\n').filter((l) => l && !l.startsWith('-----'));
      expect(body.length).toBeGreaterThan(0);
      const leaks = r.stdout.split('\n').filter((l) => body.some((b) => l.includes(b)) && !l.startsWith('::add-mask::'));
      expect(leaks).toEqual([]);
      for (const b of body) expect(r.stdout).toContain(`::add-mask::${b}`);
      expect(body.some((b) => r.summary.includes(b) || JSON.stringify(r.outputs).includes(b))).toBe(false);
      // The channel keys' private folder is gone; the Mender key never touched the disk.
      expect(readdirSync(tmp)).toEqual([]);

      // The same release again: unchanged, no Mender Artifacts written or listed.
      const again = runBundle(inputs, { TMPDIR: tmp });
      expect(again.status).toBe(0);
      expect(again.outputs).toMatchObject({ status: 'unchanged', 'mender-artifacts': '' });
      expect(again.summary).not.toContain('Mender');
    });
  });

  const bad: Array<[string, () => Record<string, string>, RegExp]> = [
    ['without a key', () => ({ 'mender-device-types': 'raspberrypi4' }),
      /^::error::input 'mender-key' is empty; pass an ECDSA P-256 or RSA private key \(PEM\) from a secret, e\.g\. \$\{\{ secrets\.MENDER_ARTIFACT_KEY \}\}$/],
    ['without device types', () => ({ 'mender-key': mender.priv }), /^::error::input 'mender-device-types' is empty; give the Mender device type\(s\)/],
    ['with a relative dest dir', () => ({ 'mender-key': mender.priv, 'mender-device-types': 'raspberrypi4', 'mender-dest-dir': 'models' }),
      /^::error::input 'mender-dest-dir' "models": not an absolute path; give the folder on the device/],
    ['with a public key as the key', () => ({ 'mender-key': mender.pub, 'mender-device-types': 'raspberrypi4' }),
      /^::error::input 'mender-key': not a PEM private key \(.+\); give an ECDSA P-256 or RSA key/],
    ['with a path instead of the key', () => ({ 'mender-key': 'secrets/signing-key.txt', 'mender-device-types': 'raspberrypi4' }),
      /^::error::input 'mender-key': not a PEM private key \(.+\); give an ECDSA P-256 or RSA key/],
    ['with an ed25519 key', () => ({ 'mender-key': readFileSync(join(keys, 'beta.pem'), 'utf8'), 'mender-device-types': 'raspberrypi4' }),
      /^::error::input 'mender-key': a ed25519 key; Mender verifies ECDSA P-256 or RSA signatures/],
  ];
  test.each(bad)('mender: true %s fails with one line naming the input and publishes nothing', (_, inputs, message) => {
    const repo = join(tempDir(), 'channel');
    // With every key at hand this would create the channel: only the Mender check stops it.
    const r = runBundle({ repo, channel: 'beta', model: 'digits', artifacts: art, version: '1.0.0', 'keys-dir': keys, mender: 'true', ...inputs() });
    expect(r.status).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(existsSync(repo)).toBe(false);
    expect(r.outputs).toEqual({});
    // Whatever was passed as the key is not repeated in the message.
    const key = inputs()['mender-key'];
    if (key) for (const line of key.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(errors[0]).not.toContain(line);
  });
});

describe('bad input names the inputs, not the CLI flags: one ::error:: line, nothing published', () => {
  let base: string;
  let keys: string;
  let repo: string;
  let art: string;

  beforeAll(() => {
    const made = channelWithRelease('edgeml-publish-naming-');
    expect(made.publishRun.status).toBe(0);
    ({ base, keys, repo, art } = made);
  });

  const cases: Array<[string, () => Record<string, string>, Record<string, string>, RegExp]> = [
    ['a version already there with other files', () => ({ version: '1.0.0', artifacts: otherArtifacts() }), {},
      /^::error::input 'version' "1\.0\.0": digits 1\.0\.0 is already on beta with other files; publish a new version$/],
    ['a version from the tag already there with other files', () => ({ version: '', artifacts: otherArtifacts() }), { GITHUB_REF: 'refs/tags/v1.0.0' },
      /^::error::version 1\.0\.0 \(from the tag v1\.0\.0\): digits 1\.0\.0 is already on beta with other files; publish a new version$/],
    ['a version already there at another rollout', () => ({ version: '1.0.0', rollout: '25' }), {},
      /^::error::input 'rollout' "25": digits 1\.0\.0 is already on beta at 10%; change it with 'edgeml promote'$/],
    ['a rollout over 100', () => ({ rollout: '150' }), {},
      /^::error::input 'rollout' "150": expected a whole percentage from 0 to 100, such as 10$/],
    ['a manifest with a failed artifact', () => ({ artifacts: '', manifest: failedManifest() }), {},
      /^::error::input 'manifest' "\S+manifest\.json": artifact int8-static failed \(int8-static needs representative inputs: .+\); fix it, or set force: true to publish the other targets$/],
    ['an artifacts folder that is not there', () => ({ artifacts: join(base, 'nope') }), {},
      /^::error::input 'artifacts' "\S+nope": no such folder; give the folder of model files to publish$/],
    ['nothing to publish', () => ({ artifacts: '' }), {},
      /^::error::nothing to publish: give input 'artifacts' \(a folder, one file per target\) or input 'manifest' \(manifest\.json from optimize\)$/],
    ['results of another model', () => ({ artifacts: otherArtifacts(), results: join(ROOT, 'test/fixtures/results/digits.json') }), {},
      /^::error::input 'results' "\S+digits\.json": measures a model \(sha256 [0-9a-f]{12}\) that is not one of the artifacts; give results of the published files$/],
  ];
  test.each(cases)('%s', (_, inputs, env, message) => {
    const before = readdirSync(repo, { recursive: true }).sort();
    const timestamp = readFileSync(join(repo, 'timestamp.json'), 'utf8');
    const r = runBundle({ repo, channel: 'beta', model: 'digits', artifacts: art, version: '1.1.0', 'keys-dir': keys, ...inputs() }, env);
    expect(r.status).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    // As the runner shows it: workflow commands escape %, CR and LF.
    const shown = errors[0].replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
    expect(shown).toMatch(message);
    expect(shown).not.toMatch(/--(version|rollout|manifest|artifacts|results|force)\b/);
    expect(r.outputs).toEqual({});
    expect(readdirSync(repo, { recursive: true }).sort()).toEqual(before);
    expect(readFileSync(join(repo, 'timestamp.json'), 'utf8')).toBe(timestamp);
  });
});

describe('key secrets are named by their inputs, not by the private folder they were written to', () => {
  const secretsOf = (keys: string, channel: string) => ({
    'channel-key': readFileSync(join(keys, `${channel}.pem`), 'utf8'), 'snapshot-key': readFileSync(join(keys, 'snapshot.pem'), 'utf8'), 'timestamp-key': readFileSync(join(keys, 'timestamp.pem'), 'utf8'),
  });

  test('the first publish to a new channel says it needs the offline keys once', () => {
    const base = tempDir();
    const keys = join(base, 'keys');
    expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
    const repo = join(base, 'channel');
    const r = runBundle({ repo, channel: 'beta', artifacts: artifactsOf(MODELS.digits), version: '1.0.0', ...secretsOf(keys, 'beta') });
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual(["::error::the channel does not exist yet, and creating it needs the offline root and targets keys: run 'edgeml publish' once where they are (or give input 'keys-dir' with every key), then this step"]);
    expect(r.status).toBe(1);
    expect(existsSync(join(repo, 'timestamp.json'))).toBe(false);
  });

  test('a secret holding another role\'s key names the input that holds it', () => {
    const base = tempDir();
    const keys = join(base, 'keys');
    const repo = join(base, 'channel');
    expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
    expect(edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'canary', '--version', '0.1.0', '--artifacts', artifactsOf(MODELS.digits)]).status).toBe(0);
    const before = readFileSync(join(repo, 'timestamp.json'), 'utf8');
    // The stable key given for beta.
    const r = runBundle({ repo, channel: 'beta', artifacts: artifactsOf(MODELS.digits), version: '1.0.0', ...secretsOf(keys, 'beta'), 'channel-key': readFileSync(join(keys, 'stable.pem'), 'utf8') });
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error::input 'channel-key' \(beta\.pem\): key [0-9a-f]{12} is not a beta key of this channel; use the beta key that signed it$/);
    expect(r.status).toBe(1);
    expect(readFileSync(join(repo, 'timestamp.json'), 'utf8')).toBe(before);
  });
});
