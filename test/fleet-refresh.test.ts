// `edgeml refresh` keeps every role valid, with a clock set by the test (an injected `now`):
// roles close to expiry are renewed when their keys are given, the ones that cannot be are named,
// and a role that would expire before the next run fails the run (exit 1).
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LocalDirStorage, collectArtifacts, loadState, publishRelease, refreshChannel } from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { MODELS, edgeml, tempDir } from './helpers.js';

const DAY = 86_400_000;
let keys: string;
let onlineKeys: string;
let art: string;
let servers: ChannelServer[] = [];

beforeAll(() => {
  const base = tempDir('edgeml-refresh-');
  keys = join(base, 'keys');
  initKeys(keys);
  // What the usual scheduled job holds: only the online keys.
  onlineKeys = join(base, 'online');
  mkdirSync(onlineKeys, { mode: 0o700 });
  for (const f of ['public.json', 'timestamp.pem', 'snapshot.pem']) copyFileSync(join(keys, f), join(onlineKeys, f));
  art = join(base, 'art');
  mkdirSync(art);
  copyFileSync(MODELS.digits, join(art, 'cpu-fp32.onnx'));
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function channelPublishedAt(t0: Date): Promise<LocalDirStorage> {
  const storage = new LocalDirStorage(tempDir('edgeml-refresh-repo-'));
  const artifacts = await collectArtifacts({ artifactsDir: art });
  await publishRelease(storage, keys, { channel: 'beta', model: 'digits', version: '1.0.0', artifacts, rollout: { percent: 100, notBefore: null } }, t0);
  return storage;
}

test('with every key, refreshes every 3 days keep every role valid for two years without a release', async () => {
  const t0 = new Date('2030-01-01T00:00:00Z');
  const storage = await channelPublishedAt(t0);
  const renewedRoles = new Set<string>();
  for (let day = 3; day <= 730; day += 3) {
    const now = new Date(t0.getTime() + day * DAY);
    const r = await refreshChannel(storage, keys, now, { intervalMs: 3 * DAY, timestampExpiresInMs: 7 * DAY });
    expect(r.notRenewed).toEqual([]);
    expect(r.expiring).toEqual([]);
    for (const x of r.renewed) renewedRoles.add(x.role);
    const state = (await loadState(storage))!; // signatures verified
    const soonest = Math.min(...[state.root, state.top, state.snapshot, state.timestamp, ...Object.values(state.channels)].map((m) => Date.parse(m.signed.expires)));
    expect(soonest).toBeGreaterThan(now.getTime() + 3 * DAY);
  }
  expect([...renewedRoles].sort()).toEqual(['beta', 'canary', 'root', 'snapshot', 'stable', 'targets']);
});

test('with only the online keys: the channel roles are named, then the run fails before they expire', async () => {
  const t0 = new Date('2030-01-01T00:00:00Z');
  const storage = await channelPublishedAt(t0);
  const early = await refreshChannel(storage, onlineKeys, new Date(t0.getTime() + 10 * DAY));
  expect(early.renewed).toEqual([]);
  expect(early.notRenewed).toEqual([]);
  // Day 80: the channels are due (90 days); the snapshot (30 days) is renewed with its key.
  const due = await refreshChannel(storage, onlineKeys, new Date(t0.getTime() + 80 * DAY));
  expect(due.renewed.map((x) => x.role)).toEqual(['snapshot']);
  expect(due.notRenewed.map((x) => `${x.role}: ${x.missing}`)).toEqual(['canary: canary.pem', 'beta: beta.pem', 'stable: stable.pem']);
  expect(due.expiring).toEqual([]);
  // Day 89.5: they expire before tomorrow's run.
  const late = await refreshChannel(storage, onlineKeys, new Date(t0.getTime() + 89.5 * DAY));
  expect(late.expiring.map((x) => x.role).sort()).toEqual(['beta', 'canary', 'stable']);
  // Given the beta key (and snapshot), beta is renewed and only the others remain.
  copyFileSync(join(keys, 'beta.pem'), join(onlineKeys, 'beta.pem'));
  try {
    const some = await refreshChannel(storage, onlineKeys, new Date(t0.getTime() + 89.5 * DAY));
    expect(some.renewed.map((x) => x.role)).toEqual(['beta', 'snapshot']);
    expect(some.expiring.map((x) => x.role).sort()).toEqual(['canary', 'stable']);
  } finally {
    rmSync(join(onlineKeys, 'beta.pem'));
  }
});

test('a timestamp shorter than the refresh interval is refused before anything is signed', async () => {
  const storage = await channelPublishedAt(new Date());
  const before = readFileSync(join(storage.location, 'timestamp.json'));
  await expect(refreshChannel(storage, keys, new Date(), { timestampExpiresInMs: DAY, intervalMs: DAY })).rejects.toThrow(/--expires 24h is not longer than --interval 24h/);
  expect(readFileSync(join(storage.location, 'timestamp.json')).equals(before)).toBe(true);
});

test('renewed root, targets and channels verify in a plain tuf-js client holding the first root', async () => {
  // Published 320 days ago: root (365) and targets (180) are due, the channels expired long ago.
  const storage = await channelPublishedAt(new Date(Date.now() - 320 * DAY));
  const r = await refreshChannel(storage, keys, new Date());
  expect(r.renewed.map((x) => x.role)).toEqual(['root', 'targets', 'canary', 'beta', 'stable', 'snapshot']);
  const server = await serveChannel(storage.location);
  servers.push(server);
  const dir = tempDir('edgeml-refresh-client-');
  mkdirSync(join(dir, 'meta'));
  copyFileSync(join(storage.location, '1.root.json'), join(dir, 'meta/root.json'));
  const updater = new Updater({ metadataDir: join(dir, 'meta'), metadataBaseUrl: server.url, targetDir: dir, targetBaseUrl: `${server.url}/targets` });
  await updater.refresh();
  expect(await updater.getTargetInfo('beta/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx')).toBeDefined();
  expect(JSON.parse(readFileSync(join(dir, 'meta/root.json'), 'utf8')).signed.version).toBe(2);
});

test('the CLI names each role it could not renew (one line each) and exits 1 when one expires before the next run', async () => {
  const storage = await channelPublishedAt(new Date(Date.now() - 89.5 * DAY));
  const f = edgeml(['refresh', '--repo', storage.location, '--keys', onlineKeys]);
  expect(f.status).toBe(1);
  expect(f.stdout).toMatch(/^timestamp v\d+ valid until /);
  const lines = f.stderr.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('not renewed: '))).toEqual([
    expect.stringMatching(/^not renewed: canary expires \S+; give --keys canary\.pem to renew it$/),
    expect.stringMatching(/^not renewed: beta expires /),
    expect.stringMatching(/^not renewed: stable expires /),
  ]);
  expect(f.stderr).toMatch(/canary expires \S+, beta expires \S+, stable expires \S+: before the next refresh \(--interval 24h\)/);
  const ok = edgeml(['refresh', '--repo', storage.location, '--keys', keys]);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/renewed beta v3, valid until/);
  const bad = edgeml(['refresh', '--repo', storage.location, '--keys', keys, '--expires', '12h']);
  expect(bad.status).toBe(2);
  expect(bad.stderr.trim().split('\n')).toHaveLength(1);
});
