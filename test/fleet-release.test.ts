// The channel stored as GitHub release assets, against the GitHub API stand-in on 127.0.0.1
// (every request checked against GitHub's OpenAPI description): the CLI and the publish action
// publish, promote, roll back and refresh; devices (the agent, and a plain tuf-js client) read
// the assets from the release download URL; concurrent publishes, a killed publish, a failed
// upload and the refusals.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { isReleaseChannel, releaseAssetFetcher } from '../src/agent/index.js';
import { ReleaseAssetStorage, assetName, collectArtifacts, loadState, publishRelease, refreshChannel, releasesOf, type ReleaseAssetsApi } from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { releaseAssetsApiFor } from '../src/github/releases.js';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { tool } from './tools.js';
import { CLI, MODELS, edgemlAsync, runActionBundleAsync, tempDir, artifactsOf } from './helpers.js';

const REPO = 'octo/models';
let gh: GitHubServer;
let keys: string;
let env: Record<string, string>;
const quiet = { info: () => {}, warning: () => {}, group: <T>(_n: string, fn: () => Promise<T>) => fn() };

beforeAll(async () => {
  gh = await startGitHubServer();
  gh.repositories.add(REPO);
  keys = join(tempDir('edgeml-release-keys-'), 'keys');
  initKeys(keys);
  env = { GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.url, GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: REPO };
  process.env.GITHUB_API_URL = gh.url; // for the stores this test opens itself
});
afterAll(() => {
  delete process.env.GITHUB_API_URL;
  return gh.close();
});
afterEach(() => {
  expect(gh.violations).toEqual([]);
  gh.faults.length = 0;
  gh.downloadHook = null;
});


const channelUrl = (tag: string) => `${gh.url}/${REPO}/releases/download/${tag}`;
const names = (tag: string) => (gh.release(REPO, tag)?.assets ?? []).map((a) => a.name).sort();
const uploads = (tag: string) => gh.requests.filter((r) => r.operationId === 'repos/upload-release-asset' && r.status === 201 && gh.release(REPO, tag) && r.path.includes(`/releases/${gh.release(REPO, tag)!.id}/`));
const publish = (tag: string, version: string, extra: string[] = [], model = MODELS.digits) =>
  edgemlAsync(['publish', '--store', `release:${tag}`, '--keys', keys, '--model', 'digits', '--version', version, '--artifacts', artifactsOf(model), ...extra], env);
const storage = (tag: string, opts = {}) => new ReleaseAssetStorage(releaseAssetsApiFor({ owner: 'octo', repo: 'models', tag }, 'test-token', quiet), opts);

function agent(dir: string, url: string, channel = 'beta'): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', url, '--root', join(dir, '..', 'root.json'), '--channel', channel,
      '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'device-1', '--once', '--timeout', '20s']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A device folder with the channel's first root shipped to it. */
async function device(tag: string): Promise<string> {
  const home = tempDir('edgeml-release-device-');
  writeFileSync(join(home, 'root.json'), gh.release(REPO, tag)!.assets.find((a) => a.name === '1.root.json')!.bytes);
  mkdirSync(join(home, 'dir'));
  return join(home, 'dir');
}

test('asset names: metadata keeps its name, a target its content-addressed file name, other paths join with dots', () => {
  expect(assetName('timestamp.json')).toBe('timestamp.json');
  expect(assetName('3.beta.json')).toBe('3.beta.json');
  expect(assetName(`targets/beta/models/digits/1.0.0/cpu-fp32/${'a'.repeat(64)}.cpu-fp32.onnx`)).toBe(`${'a'.repeat(64)}.cpu-fp32.onnx`);
  expect(assetName('mender/beta/digits/1.0.0+build.7/cpu-fp32.mender')).toBe('mender.beta.digits.1.0.0-build.7.cpu-fp32.mender');
  expect(isReleaseChannel('https://github.com/octo/models/releases/download/edgeml-channel')).toBe(true);
  expect(isReleaseChannel('https://octo.github.io/models/channel')).toBe(false);
});

test('publish creates the release and uploads metadata and model as assets; the same release again uploads nothing', async () => {
  const r = await publish('edgeml-channel', '1.0.0');
  expect(r.stderr).toMatch(/created octo\/models release edgeml-channel/);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('beta: published digits 1.0.0 (release 1');
  expect(r.stdout).toContain(`devices: edgeml agent --channel-url ${channelUrl('edgeml-channel')}`);
  const release = gh.release(REPO, 'edgeml-channel')!;
  // Never the repository's "Latest" release, never a draft (devices cannot download drafts).
  expect(release).toMatchObject({ draft: false, make_latest: 'false' });
  const sha = (await collectArtifacts({ artifactsDir: artifactsOf(MODELS.digits) }))[0].sha256;
  // The acceptance evidence is one more content-addressed file (<sha256>.json), named in the signed metadata.
  const evidence = names('edgeml-channel').filter((n) => /^[0-9a-f]{64}\.json$/.test(n));
  expect(evidence).toHaveLength(1);
  expect(names('edgeml-channel').filter((n) => !evidence.includes(n))).toEqual([
    '1.beta.json', '1.canary.json', '1.root.json', '1.snapshot.json', '1.stable.json', '1.targets.json', '2.beta.json', '2.snapshot.json',
    `${sha}.cpu-fp32.onnx`, 'root.json', 'timestamp.json',
  ]);
  // The channel read back through the store verifies.
  const state = (await loadState(storage('edgeml-channel')))!;
  expect(releasesOf(state, 'beta').map((x) => x.version)).toEqual(['1.0.0']);

  const before = uploads('edgeml-channel').length;
  const again = await publish('edgeml-channel', '1.0.0');
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('already published (no change)');
  // Only the lock was uploaded (and deleted): no metadata, no model.
  expect(uploads('edgeml-channel').length - before).toBe(1);
  expect(names('edgeml-channel')).not.toContain('edgeml.lock');
});

test('devices read the release downloads: the agent installs, an idle poll fetches only timestamp.json, a plain tuf-js client verifies', async () => {
  const tag = 'devices';
  expect((await publish(tag, '1.0.0')).status).toBe(0);
  const dir = await device(tag);
  const first = await agent(dir, channelUrl(tag));
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
  expect(status).toMatchObject({ lastResult: 'installed', current: { version: '1.0.0', release: 1 } });

  gh.downloads.length = 0;
  const idle = await agent(dir, channelUrl(tag));
  expect(idle.status).toBe(0);
  expect(JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')).lastResult).toBe('up-to-date');
  // The spec's two requests: timestamp.json, and the next root's 404.
  expect(gh.downloads.sort()).toEqual([`${tag}/2.root.json`, `${tag}/timestamp.json`]);

  // tuf-js's own Updater, with the URL mapping as its fetcher: the metadata is standard TUF.
  const client = tempDir('edgeml-release-client-');
  mkdirSync(join(client, 'meta'));
  copyFileSync(join(dir, '..', 'root.json'), join(client, 'meta/root.json'));
  const updater = new Updater({
    metadataDir: join(client, 'meta'), metadataBaseUrl: channelUrl(tag), targetDir: client, targetBaseUrl: `${channelUrl(tag)}/targets`,
    fetcher: releaseAssetFetcher(channelUrl(tag), { timeout: 10_000, retry: 0 }),
  });
  await updater.refresh();
  const info = await updater.getTargetInfo('beta/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx');
  expect(readFileSync(await updater.downloadTarget(info!, join(client, 'm.onnx'))).equals(readFileSync(MODELS.digits))).toBe(true);
});

test('promote reuses the uploaded model, rollback and refresh re-sign; all verify', async () => {
  const tag = 'lifecycle';
  expect((await publish(tag, '1.0.0')).status).toBe(0);
  expect((await publish(tag, '1.1.0', [], MODELS.wakeword)).status).toBe(0);
  const modelAssets = () => gh.release(REPO, tag)!.assets.filter((a) => a.name.endsWith('.onnx')).map((a) => a.id).sort();
  const models = modelAssets();
  expect(models).toHaveLength(2);
  const base = ['--store', `release:${tag}`, '--keys', keys];
  for (const version of ['1.0.0', '1.1.0']) {
    const p = await edgemlAsync(['promote', ...base, '--channel', 'stable', '--version', version], env);
    expect(p.status).toBe(0);
    expect(p.stdout).toContain(`stable: promoted digits ${version}`);
  }
  expect(modelAssets()).toEqual(models); // the same bytes: the very assets published to beta, no copy
  const back = await edgemlAsync(['rollback', ...base, '--channel', 'stable'], env);
  expect(back.status).toBe(0);
  expect(back.stdout).toContain('stable: rolled back to digits 1.0.0 (release 3');
  const refresh = await edgemlAsync(['refresh', ...base], env);
  expect(refresh.status).toBe(0);
  const state = (await loadState(storage(tag)))!;
  expect(releasesOf(state, 'stable').map((x) => [x.version, x.release])).toEqual([['1.0.0', 3]]);
  expect(names(tag).filter((n) => n.startsWith('pending.') || n === 'edgeml.lock')).toEqual([]);
});

test('two publishes at once: one waits for the lock, both land', async () => {
  const tag = 'race';
  expect((await publish(tag, '0.1.0')).status).toBe(0);
  const [a, b] = await Promise.all([publish(tag, '1.0.0'), publish(tag, '1.1.0', ['--channel', 'canary'], MODELS.wakeword)]);
  expect([a.status, b.status, a.stderr + b.stderr]).toEqual([0, 0, expect.not.stringMatching(/error/i)]);
  const state = (await loadState(storage(tag)))!;
  expect(releasesOf(state, 'beta').map((x) => x.version)).toEqual(['1.0.0', '0.1.0']);
  expect(releasesOf(state, 'canary').map((x) => x.version)).toEqual(['1.1.0']);
});

test('a publish killed between deleting and renaming timestamp.json: devices keep their model, the next writer completes it', async () => {
  const tag = 'killed';
  expect((await publish(tag, '1.0.0')).status).toBe(0);
  const dir = await device(tag);
  expect((await agent(dir, channelUrl(tag))).status).toBe(0);
  // The process dies after deleting the old timestamp.json: its rename never happens, nor its unlock.
  const real = releaseAssetsApiFor({ owner: 'octo', repo: 'models', tag }, 'test-token', quiet);
  const dying: ReleaseAssetsApi = { ...real, location: real.location, rename: async () => { throw new Error('killed'); }, remove: async (a) => { if (a.name !== 'edgeml.lock') await real.remove(a); } };
  await expect(refreshChannel(new ReleaseAssetStorage(dying), keys, new Date())).rejects.toThrow('killed');
  expect(names(tag)).toContain('pending.timestamp.json');
  expect(names(tag)).toContain('edgeml.lock');
  expect(names(tag)).not.toContain('timestamp.json');

  // A device polling now cannot refresh: it reports it and keeps serving 1.0.0.
  const poll = await agent(dir, channelUrl(tag));
  expect(poll.status).not.toBe(0);
  const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
  expect(status).toMatchObject({ lastResult: 'error', current: { version: '1.0.0' } });

  // Twenty minutes later, the next publish takes the lock over as stale, completes the rename, publishes.
  const lock = gh.release(REPO, tag)!.assets.find((a) => a.name === 'edgeml.lock')!;
  lock.created_at = new Date(Date.now() - 20 * 60_000).toISOString();
  const r = await publish(tag, '1.1.0', [], MODELS.wakeword);
  expect(r.stderr).toMatch(/taking over a lock left since/);
  expect(r.stderr).toMatch(/completing an interrupted update of timestamp\.json/);
  expect(r.status).toBe(0);
  expect(names(tag).filter((n) => n.startsWith('pending.') || n === 'edgeml.lock')).toEqual([]);
  const state = (await loadState(storage(tag)))!;
  expect(releasesOf(state, 'beta').map((x) => x.version)).toEqual(['1.1.0', '1.0.0']);
  expect((await agent(dir, channelUrl(tag))).status).toBe(0);
  expect(JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'))).toMatchObject({ lastResult: 'installed', current: { version: '1.1.0' } });
});

test('a lock held by a live publish: the other waits, then gives up with one line naming the asset', async () => {
  const tag = 'locked';
  expect((await publish(tag, '1.0.0')).status).toBe(0);
  const holder = storage(tag);
  const unlock = await holder.lock();
  const waiter = storage(tag, { lockTimeoutMs: 1_500 });
  const art = await collectArtifacts({ artifactsDir: artifactsOf(MODELS.wakeword) });
  await expect(publishRelease(waiter, keys, { channel: 'beta', model: 'digits', version: '2.0.0', artifacts: art, rollout: { percent: 100, notBefore: null } }))
    .rejects.toThrow(/^octo\/models release locked: another publish holds the lock \(asset edgeml\.lock, since .+\); wait for it, or delete that asset if no publish is running$/);
  await unlock();
  expect(names(tag)).not.toContain('edgeml.lock');
});

test('an upload that fails half-way (502, a "starter" asset left) is cleared and redone', async () => {
  const tag = 'flaky';
  gh.faults.push({ method: 'POST', path: /\/assets$/, status: 502, message: 'Bad Gateway', times: 1, starter: true });
  const r = await publish(tag, '1.0.0');
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/GitHub API POST \/repos\/octo\/models\/releases\/\d+\/assets: 502; retrying in 1\.0 s/);
  expect(gh.release(REPO, tag)!.assets.every((a) => a.state === 'uploaded')).toBe(true);
  expect((await loadState(storage(tag)))).not.toBeNull();
});

test('the publish action publishes to a release store and says the URL devices poll', async () => {
  const tag = 'from-action';
  const art = artifactsOf(MODELS.digits);
  const inputs = { store: `release:${tag}`, 'keys-dir': keys, model: 'digits', artifacts: art, 'github-token': 'a-secret-token' };
  const r = await runActionBundleAsync('publish', inputs, { ...env, GITHUB_REF: 'refs/tags/v2.0.0' });
  expect(r.stdout).not.toContain('::error::');
  expect(r.status).toBe(0);
  expect(r.outputs).toMatchObject({ status: 'published', version: '2.0.0', 'channel-url': channelUrl(tag) });
  expect(r.stdout).toContain('::add-mask::a-secret-token');
  expect(r.stdout.split('\n').filter((l) => l.includes('a-secret-token') && !l.startsWith('::add-mask::'))).toEqual([]);
  expect(releasesOf((await loadState(storage(tag)))!, 'beta').map((x) => x.version)).toEqual(['2.0.0']);
  // Without a token: one line naming the input, before anything is signed or written.
  const none = await runActionBundleAsync('publish', { ...inputs, store: 'release:no-token', 'github-token': '' }, { ...env, GITHUB_REF: 'refs/tags/v2.0.0' });
  expect(none.stdout).toMatch(/::error::input 'github-token' is empty; store release:no-token needs a token that may write releases/);
  expect(none.status).toBe(1);
  expect(gh.release(REPO, 'no-token')).toBeUndefined();
});

test.each([
  ['no token', ['--store', 'release:nope'], { GITHUB_TOKEN: '', GH_TOKEN: '' }, /^edgeml: error: --store release:nope needs a GitHub token that may write releases \(contents: write\): set GITHUB_TOKEN or GH_TOKEN$/],
  ['a tag with a slash', ['--store', 'release:a/b'], {}, /^edgeml: error: --store "release:a\/b": not a usable tag; use release:TAG/],
  ['a folder with a release store', ['--store', 'release:nope', '--repo', 'x'], {}, /^edgeml: error: --repo x: a release store has no folders; leave --repo out/],
  ['no repository', ['--store', 'release:nope'], { GITHUB_REPOSITORY: '' }, /^edgeml: error: --github-repo is required with --store release:TAG: the repository as OWNER\/REPO/],
  ['a repository that is not there', ['--store', 'release:nope', '--github-repo', 'octo/missing'], {}, /^edgeml: error: octo\/missing release nope: octo\/missing not found while trying to read the repository \(404\); check the repository name and that the token can see it$/],
] as const)('refused before anything is written: %s', async (_name, flags, extraEnv, message) => {
  const r = await edgemlAsync(['publish', ...flags, '--keys', keys, '--version', '1.0.0', '--artifacts', artifactsOf(MODELS.digits)], { ...env, ...extraEnv });
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.status).toBe(2);
  expect(gh.release(REPO, 'nope')).toBeUndefined();
});

test('a token that may not write releases: one line that names the permission, nothing left behind', async () => {
  gh.faults.push({ method: 'POST', path: /\/releases$/, status: 403, message: 'Resource not accessible by integration', times: 1 });
  const r = await publish('forbidden', '1.0.0');
  expect(r.stderr.trim()).toBe('edgeml: error: octo/models release forbidden: the token may not create the release (403: Resource not accessible by integration); give the job permissions: contents: write');
  expect(r.status).toBe(2);
  expect(gh.release(REPO, 'forbidden')).toBeUndefined();
});

test('promote on a tag with no channel fails and leaves no empty release behind', async () => {
  const r = await edgemlAsync(['promote', '--store', 'release:empty', '--keys', keys, '--version', '1.0.0'], env);
  expect(r.stderr.trim()).toMatch(/^edgeml: error: octo\/models release empty: empty; publish a release with 'edgeml publish' first$/);
  expect(r.status).toBe(2);
  expect(gh.release(REPO, 'empty')).toBeUndefined();
});

test('a release that is not a channel, and a draft, are refused', async () => {
  const now = new Date().toISOString();
  const foreign = { id: 990001, repo: REPO, tag_name: 'v9.9.9', name: 'app', body: null, draft: false, prerelease: false, created_at: now, assets: [] as never[] };
  gh.releases.push(foreign, { ...foreign, id: 990002, tag_name: 'draft', draft: true });
  gh.release(REPO, 'v9.9.9')!.assets.push({ id: 990003, name: 'app.zip', size: 3, state: 'uploaded', content_type: 'application/zip', created_at: now, updated_at: now, bytes: Buffer.from('zip') } as never);
  const notChannel = await publish('v9.9.9', '1.0.0');
  expect(notChannel.stderr.trim()).toMatch(/^edgeml: error: octo\/models release v9\.9\.9: not an edgeml channel \(no timestamp\.json\)/);
  expect(notChannel.status).toBe(2);
  expect(names('v9.9.9')).toEqual(['app.zip']);
  const draft = await publish('draft', '1.0.0');
  expect(draft.stderr.trim()).toBe("edgeml: error: octo/models release draft is a draft: devices cannot download a draft's assets; publish the release on GitHub, or use another tag");
  expect(draft.status).toBe(2);
  expect(existsSync(keys)).toBe(true);
});

test('--mender in a release store: one signed Mender Artifact per target, as an asset that mender-artifact validates', async () => {
  const dir = tempDir('edgeml-release-mender-');
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(join(dir, 'mender.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
  writeFileSync(join(dir, 'mender.pub'), pair.publicKey.export({ format: 'pem', type: 'spki' }) as string);
  const r = await publish('mender', '1.0.0', ['--mender', '--mender-key', join(dir, 'mender.pem'), '--mender-device-type', 'raspberrypi4']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('  mender  mender.beta.digits.1.0.0.cpu-fp32.mender');
  const asset = gh.release(REPO, 'mender')!.assets.find((a) => a.name === 'mender.beta.digits.1.0.0.cpu-fp32.mender')!;
  expect(asset.state).toBe('uploaded');
  // mender-artifact's own check, where it is installed (test/tools.ts records the skip otherwise).
  const menderArtifact = tool('mender-artifact', 'mender-artifact');
  if (menderArtifact) {
    writeFileSync(join(dir, 'a.mender'), asset.bytes);
    const v = spawnSync(menderArtifact, ['validate', '-k', join(dir, 'mender.pub'), join(dir, 'a.mender')], { encoding: 'utf8' });
    expect(v.status).toBe(0);
  }
});

test('prune in a release store deletes the assets no release lists, and keeps the one a promoted release shares', async () => {
  const tag = 'prune';
  expect((await publish(tag, '1.0.0')).status).toBe(0);
  expect((await edgemlAsync(['promote', '--store', `release:${tag}`, '--keys', keys, '--channel', 'stable', '--version', '1.0.0'], env)).status).toBe(0);
  expect((await publish(tag, '1.1.0', [], MODELS.wakeword)).status).toBe(0);
  expect((await publish(tag, '1.2.0', [], MODELS.ocrCls)).status).toBe(0);
  const sha = async (model: string) => (await collectArtifacts({ artifactsDir: artifactsOf(model) }))[0].sha256;
  const r = await edgemlAsync(['prune', '--store', `release:${tag}`, '--keys', keys, '--channel', 'beta', '--keep', '1'], env);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('dropped digits 1.1.0 (release 2), digits 1.0.0 (release 1); deleted 1 files');
  const models = names(tag).filter((n) => n.endsWith('.onnx'));
  expect(models.sort()).toEqual([`${await sha(MODELS.digits)}.cpu-fp32.onnx`, `${await sha(MODELS.ocrCls)}.cpu-fp32.onnx`].sort());
  const state = (await loadState(storage(tag)))!;
  expect(releasesOf(state, 'beta').map((x) => x.version)).toEqual(['1.2.0']);
  expect(releasesOf(state, 'stable').map((x) => x.version)).toEqual(['1.0.0']);
});
