// The channel repository: keys, publish/promote/rollback on a local folder, and a plain tuf-js
// client (not our agent) verifying what was published over real HTTP.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { createHash } from 'node:crypto';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  LocalDirStorage, cohortBucket, collectArtifacts, inRollout, loadState, promoteRelease, publishRelease, releasesOf, rollbackChannel, type FleetNaming,
} from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { MODELS, tempDir, artifactsOf } from './helpers.js';

let keys: string;
let repo: string;
let v1: string;
let v2: string;
let server: ChannelServer;


async function publish(version: string, dir: string, channel: 'canary' | 'beta' | 'stable' = 'beta', percent = 100) {
  const artifacts = await collectArtifacts({ artifactsDir: dir });
  return publishRelease(new LocalDirStorage(repo), keys, { channel, model: 'digits', version, artifacts, rollout: { percent, notBefore: null } });
}

beforeAll(async () => {
  const base = tempDir('edgeml-fleet-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  initKeys(keys);
  v1 = artifactsOf(MODELS.digits);
  v2 = artifactsOf(MODELS.wakeword);
  server = await serveChannel(repo);
});
afterAll(() => server.close());

describe('keys', () => {
  test('private keys are 0600 and key ids are sha256 of the canonical public key', () => {
    const pub = JSON.parse(readFileSync(join(keys, 'public.json'), 'utf8'));
    expect(pub.keys.filter((k: { role: string }) => k.role === 'root')).toHaveLength(3);
    expect(pub.rootThreshold).toBe(2);
    for (const k of pub.keys) {
      expect(statSync(join(keys, k.file)).mode & 0o777).toBe(0o600);
      const id = createHash('sha256').update(canonicalize({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: k.public } })).digest('hex');
      expect(k.keyId).toBe(id);
    }
    expect(() => initKeys(keys)).toThrow(/already holds a key set/);
  });
});

describe('publish, promote, rollback', () => {
  test('the first publish creates the channel with consistent snapshots and content-addressed targets', async () => {
    const r = await publish('1.0.0', v1);
    expect(r.status).toBe('published');
    expect(r.release).toBe(1);
    const files = readdirSync(repo);
    for (const f of ['1.root.json', 'root.json', '1.targets.json', '2.beta.json', '1.stable.json', '2.snapshot.json', 'timestamp.json']) expect(files).toContain(f);
    const sha = createHash('sha256').update(readFileSync(MODELS.digits)).digest('hex');
    expect(r.targets[0].path).toBe('beta/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx');
    expect(existsSync(join(repo, 'targets/beta/models/digits/1.0.0/cpu-fp32', `${sha}.cpu-fp32.onnx`))).toBe(true);
    const root = JSON.parse(readFileSync(join(repo, 'root.json'), 'utf8'));
    expect(root.signed.roles.root.threshold).toBe(2);
    expect(Object.keys(root.signatures)).toHaveLength(2);
    expect(root.signed.consistent_snapshot).toBe(true);
  });

  test('publishing the same release again changes nothing', async () => {
    const before = readFileSync(join(repo, 'timestamp.json'), 'utf8');
    const r = await publish('1.0.0', v1);
    expect(r.status).toBe('unchanged');
    expect(readFileSync(join(repo, 'timestamp.json'), 'utf8')).toBe(before);
    await expect(publish('1.0.0', v2)).rejects.toThrow(/already on beta with other files/);
  });

  test('a plain tuf-js client verifies the channel and downloads the target', async () => {
    const dir = tempDir('edgeml-tufjs-');
    mkdirSync(join(dir, 'meta'));
    mkdirSync(join(dir, 'targets'));
    copyFileSync(join(repo, '1.root.json'), join(dir, 'meta/root.json'));
    const updater = new Updater({ metadataDir: join(dir, 'meta'), metadataBaseUrl: server.url, targetDir: join(dir, 'targets'), targetBaseUrl: `${server.url}/targets` });
    await updater.refresh();
    const info = await updater.getTargetInfo('beta/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx');
    expect(info).toBeDefined();
    expect((info!.custom.edgeml as { release: number }).release).toBe(1);
    const out = await updater.downloadTarget(info!, join(dir, 'targets/model.onnx'));
    expect(readFileSync(out).equals(readFileSync(MODELS.digits))).toBe(true);
    // A path of another channel is not something the beta role may sign.
    expect(await updater.getTargetInfo('stable/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx')).toBeUndefined();
  });

  test('concurrent publishes both land, and the metadata stays consistent', async () => {
    const a = tempDir();
    const b = tempDir();
    copyFileSync(MODELS.ocrCls, join(a, 'cpu-fp32.onnx'));
    copyFileSync(MODELS.vadV5, join(b, 'cpu-fp32.onnx'));
    const [ra, rb] = await Promise.all([publish('1.1.0', a, 'canary'), publish('1.2.0', b, 'canary')]);
    expect(new Set([ra.release, rb.release])).toEqual(new Set([1, 2]));
    const state = (await loadState(new LocalDirStorage(repo)))!;
    expect(releasesOf(state, 'canary').map((r) => r.version).sort()).toEqual(['1.1.0', '1.2.0']);
  });

  test('promote copies a release to stable with a new counter, then widens its rollout in place', async () => {
    const storage = new LocalDirStorage(repo);
    const p = await promoteRelease(storage, keys, { channel: 'stable', version: '1.0.0', rollout: { percent: 10, notBefore: null } });
    expect(p.status).toBe('promoted');
    expect(p.targets[0].path).toBe('stable/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx');
    const w = await promoteRelease(storage, keys, { channel: 'stable', version: '1.0.0', rollout: { percent: 50, notBefore: null } });
    expect(w.status).toBe('rollout-updated');
    expect(w.release).toBe(p.release);
    expect(w.rollout.salt).toBe(p.rollout.salt);
    await expect(promoteRelease(storage, keys, { channel: 'stable', version: '9.9.9', rollout: { percent: 10, notBefore: null } })).rejects.toThrow(/no release 9.9.9/);
  });

  test("messages name the settings the caller's way: the CLI's flags by default, or the naming passed", async () => {
    const naming: FleetNaming = { given: (k, v) => `setting ${k}=${v}`, name: (k) => `setting ${k}`, force: 'say force' };
    const storage = new LocalDirStorage(join(tempDir(), 'repo'));
    const rollout = { percent: 10, notBefore: null };
    const artifacts = await collectArtifacts({ artifactsDir: v1 });
    for (const model of ['digits', 'other']) await publishRelease(storage, keys, { channel: 'beta', model, version: '1.0.0', artifacts, rollout });
    await expect(collectArtifacts({ naming })).rejects.toThrow("nothing to publish: give setting artifacts (a folder, one file per target) or setting manifest (manifest.json from optimize)");
    await expect(publishRelease(storage, keys, { channel: 'beta', model: 'digits', version: '1.0.0', artifacts, rollout: { percent: 50, notBefore: null }, naming }))
      .rejects.toThrow("setting rollout=50: digits 1.0.0 is already on beta at 10%; change it with 'edgeml promote'");
    await expect(promoteRelease(storage, keys, { channel: 'stable', version: '9.9.9', rollout, naming }))
      .rejects.toThrow("setting version=9.9.9: no release 9.9.9 on beta or canary; publish it there first with 'edgeml publish'");
    await expect(promoteRelease(storage, keys, { channel: 'stable', version: '9.9.9', rollout })).rejects.toThrow(/^--version 9\.9\.9: /);
    await expect(rollbackChannel(storage, keys, { channel: 'beta', naming })).rejects.toThrow('channel beta holds several models (digits, other); say which with setting model');
    await expect(rollbackChannel(storage, keys, { channel: 'beta', model: 'digits', naming }))
      .rejects.toThrow('setting channel=beta: digits has no earlier release to roll back to; publish a fixed version instead');
    await expect(rollbackChannel(storage, keys, { channel: 'beta', model: 'digits' })).rejects.toThrow(/^--channel beta: /);
  });

  test('rollback re-issues the previous artifacts under a higher release counter', async () => {
    await publish('2.0.0', v2);
    const r = await rollbackChannel(new LocalDirStorage(repo), keys, { channel: 'beta' });
    expect(r.status).toBe('rolled-back');
    expect(r.version).toBe('1.0.0');
    expect(r.release).toBe(3);
    const state = (await loadState(new LocalDirStorage(repo)))!;
    expect(releasesOf(state, 'beta').map((x) => [x.version, x.release])).toEqual([['1.0.0', 3]]);
  });
});

describe('rollout cohorts', () => {
  test('buckets are stable, spread over 0..99, and a wider rollout keeps everyone already in', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `device-${i}`);
    const buckets = ids.map((id) => cohortBucket(id, 'salt'));
    expect(buckets.every((b) => b >= 0 && b < 100)).toBe(true);
    const inTen = ids.filter((id) => inRollout(id, { percent: 10, salt: 'salt', notBefore: null }));
    expect(inTen.length).toBeGreaterThan(120);
    expect(inTen.length).toBeLessThan(280);
    expect(inTen.every((id) => inRollout(id, { percent: 50, salt: 'salt', notBefore: null }))).toBe(true);
    expect(inRollout('x', { percent: 100, salt: 's', notBefore: '2999-01-01T00:00:00Z' })).toBe(false);
  });
});

test('a folder that is not a channel is refused and left alone', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  await expect(loadState(new LocalDirStorage(dir))).rejects.toThrow(/not an edgeml channel/);
  expect(readdirSync(dir)).toEqual(['notes.txt']);
});
