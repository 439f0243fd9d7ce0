// `edgeml keys rotate`: every kind of key replaced on a live channel (served over real HTTP),
// with a tuf-js client that polled before each rotation following it from its old trusted root,
// a client shipped with the first root walking every root version, a timestamp signed with the
// retired key refused, a rotation cut short finished by running it again, and the refusals.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LocalDirStorage, collectArtifacts, loadState, parseRotateRole, publishRelease, releasesOf, rotateKey } from '../src/fleet/index.js';
import { initKeys, readSigningKey } from '../src/fleet/keys.js';
import { buildTimestamp, serialize, signWith } from '../src/fleet/metadata.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { MODELS, edgemlAsync, tempDir, artifactsOf } from './helpers.js';

let base: string;
let keys: string;
let repo: string;
let server: ChannelServer;
let device: string;


const publicJson = () => JSON.parse(readFileSync(join(keys, 'public.json'), 'utf8')) as { keys: Array<{ file: string; keyId: string }> };
const keyIdOf = (file: string) => publicJson().keys.find((k) => k.file === file)!.keyId;
const rotate = (role: string, dir = keys) => edgemlAsync(['keys', 'rotate', '--repo', repo, '--keys', dir, '--role', role]);
const publish = (version: string, model = MODELS.digits) =>
  edgemlAsync(['publish', '--repo', repo, '--keys', keys, '--model', 'digits', '--channel', 'beta', '--version', version, '--artifacts', artifactsOf(model)]);

/** A tuf-js client whose trusted metadata lives in `dir` (a device that keeps polling). */
function client(dir: string): Updater {
  return new Updater({ metadataDir: join(dir, 'meta'), metadataBaseUrl: server.url, targetDir: dir, targetBaseUrl: `${server.url}/targets` });
}

function newDevice(): string {
  const dir = tempDir('edgeml-rotate-device-');
  mkdirSync(join(dir, 'meta'));
  copyFileSync(join(repo, '1.root.json'), join(dir, 'meta/root.json'));
  return dir;
}

async function newest(dir: string): Promise<string> {
  const up = client(dir);
  await up.refresh();
  await up.getTargetInfo('beta/models/_/_/_/_'); // loads and verifies the delegated beta role
  const beta = JSON.parse(readFileSync(join(dir, 'meta/beta.json'), 'utf8')) as { signed: { targets: Record<string, unknown> } };
  return Object.keys(beta.signed.targets).map((p) => p.split('/')[3]).sort().at(-1)!;
}

beforeAll(async () => {
  base = tempDir('edgeml-rotate-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  initKeys(keys);
  const art = await collectArtifacts({ artifactsDir: artifactsOf(MODELS.digits) });
  await publishRelease(new LocalDirStorage(repo), keys, { channel: 'beta', model: 'digits', version: '1.0.0', artifacts: art, rollout: { percent: 100, notBefore: null } });
  server = await serveChannel(repo);
  device = newDevice();
  expect(await newest(device)).toBe('1.0.0');
});
afterAll(() => server.close());

test.each([
  ['timestamp', 2],
  ['snapshot', 3],
  ['targets', 4],
  ['beta', null],
  ['root-2', 5],
] as const)('rotate %s: the channel lists the new key, the old one is retired, the device follows and the next publish signs with it', async (role, rootVersion) => {
  const file = `${role}.pem`;
  const before = keyIdOf(file);
  const r = await rotate(role);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const after = keyIdOf(file);
  expect(after).not.toBe(before);
  expect(r.stdout).toContain(`rotated the ${role} key: ${before.slice(0, 12)} -> ${after.slice(0, 12)}`);
  if (rootVersion) expect(r.stdout).toContain(`root v${rootVersion}`);
  // The new key is in place, 0600; the old one kept aside; no pending file.
  expect(readSigningKey(keys, file, 'timestamp').keyId).toBe(after);
  expect(readSigningKey(join(keys, 'retired'), `${role}-${before.slice(0, 12)}.pem`, 'timestamp').keyId).toBe(before);
  expect(existsSync(join(keys, `${file}.new`))).toBe(false);
  // What the channel lists now.
  const state = (await loadState(new LocalDirStorage(repo)))!;
  const listed = role === 'beta' ? state.top.signed.delegations!.roles!.beta.keyIDs
    : role === 'root-2' ? state.root.signed.roles.root.keyIDs : state.root.signed.roles[role].keyIDs;
  expect(listed).toContain(after);
  expect(listed).not.toContain(before);
  // The device that polled before follows from its old trusted root; a new release signed with the new keys reaches it.
  const version = `1.${['timestamp', 'snapshot', 'targets', 'beta', 'root-2'].indexOf(role) + 1}.0`;
  expect((await publish(version)).status).toBe(0);
  expect(await newest(device)).toBe(version);
});

test('a device shipped with the first root walks every root version; a timestamp signed with the retired key is refused', async () => {
  const fresh = newDevice();
  expect(await newest(fresh)).toBe('1.5.0');
  expect(JSON.parse(readFileSync(join(fresh, 'meta/root.json'), 'utf8')).signed.version).toBe(5);
  // An attacker holding the retired timestamp key signs a newer timestamp: refused.
  const retired = readdirSync(join(keys, 'retired')).find((f) => f.startsWith('timestamp-'))!;
  const oldKey = readSigningKey(join(keys, 'retired'), retired, 'timestamp');
  const state = (await loadState(new LocalDirStorage(repo)))!;
  const forged = serialize(signWith(buildTimestamp(state.timestamp.signed.version + 1, new Date(), state.timestamp.signed.snapshotMeta), [oldKey]));
  server.hook = (path, _req, res) => (path === 'timestamp.json' ? (res.writeHead(200).end(forged), true) : false);
  try {
    await expect(client(fresh).refresh()).rejects.toThrow(/timestamp/i);
  } finally {
    server.hook = null;
  }
});

test('a rotation cut short after the channel changed: publishing says how to finish, running it again finishes with the same key', async () => {
  const before = keyIdOf('snapshot.pem');
  // The channel side only, as if the process died before moving the key files.
  const r = await rotateKey(new LocalDirStorage(repo), keys, parseRotateRole('snapshot'));
  expect(existsSync(join(keys, 'snapshot.pem.new'))).toBe(true);
  const blocked = await publish('1.6.0');
  expect(blocked.stderr.trim()).toMatch(/^edgeml: error: .*snapshot\.pem: key [0-9a-f]{12} is no longer the channel's snapshot key: a rotation left snapshot\.pem\.new; run 'edgeml keys rotate --role snapshot' again to finish it$/);
  expect(blocked.status).toBe(2);
  const again = await rotate('snapshot');
  expect(again.status).toBe(0);
  expect(again.stdout).toContain(`rotated the snapshot key: ${before.slice(0, 12)} -> ${r.newKeyId.slice(0, 12)}`);
  expect(again.stdout).not.toContain('root v'); // the root had it already: no second new root
  expect(keyIdOf('snapshot.pem')).toBe(r.newKeyId);
  expect((await publish('1.6.0')).status).toBe(0);
  expect(await newest(device)).toBe('1.6.0');
});

test('between the double-signed timestamp and the new root, a device on the old root keeps verifying; running again publishes the root', async () => {
  const storage = new LocalDirStorage(repo);
  // The process dies as it writes the new root: everything before it (the commit) has landed.
  const dying = Object.assign(Object.create(storage) as LocalDirStorage, {
    createExclusive: async (path: string, bytes: Buffer) => {
      if (/^\d+\.root\.json$/.test(path)) throw new Error('killed');
      return storage.createExclusive(path, bytes);
    },
  });
  await expect(rotateKey(dying, keys, parseRotateRole('timestamp'))).rejects.toThrow('killed');
  const pending = readSigningKey(keys, 'timestamp.pem.new', 'timestamp').keyId;
  const ts = JSON.parse(readFileSync(join(repo, 'timestamp.json'), 'utf8')) as { signatures: Array<{ keyid: string }> };
  expect(ts.signatures.map((x) => x.keyid).sort()).toEqual([keyIdOf('timestamp.pem'), pending].sort());
  // A device that trusts the current root verifies the new timestamp with the old key.
  expect(await newest(device)).toBe('1.6.0');
  const again = await rotate('timestamp');
  expect(again.status).toBe(0);
  expect(again.stdout).toMatch(/rotated the timestamp key: [0-9a-f]{12} -> [0-9a-f]{12} \(root v\d+\)\n/);
  expect(keyIdOf('timestamp.pem')).toBe(pending);
  expect((await publish('1.7.0')).status).toBe(0);
  expect(await newest(device)).toBe('1.7.0');
});

test.each([
  ['an unknown role', 'nope', () => keys, /^edgeml: error: --role "nope": name the key to replace: root-N \(e\.g\. root-2\), targets, snapshot, timestamp, canary, beta, stable$/],
  ['timestamp without the root keys', 'timestamp', () => without(/^root-/), /^edgeml: error: --keys .*: replacing the timestamp key needs 2 root keys \(root-N\.pem\) of the current root to sign the new root, found 0; run it where the offline root keys are$/],
  ['a channel key without targets.pem', 'stable', () => without(/^targets\.pem$/), /^edgeml: error: .*targets\.pem: missing; the targets key is needed to sign/],
  ['a root key without another one', 'root-1', () => without(/^root-[23]/), /^edgeml: error: --keys .*: replacing the root-1 key needs 2 root keys \(root-N\.pem\) of the current root besides the one replaced to sign the new root, found 0;/],
] as const)('refused with one line, nothing written: %s', async (_name, role, dir, message) => {
  const listing = () => readdirSync(repo).sort().join(',') + readFileSync(join(repo, 'timestamp.json'), 'utf8');
  const before = listing();
  const r = await rotate(role, dir());
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.status).toBe(2);
  expect(listing()).toBe(before);
  expect(readdirSync(dir()).filter((f) => f.endsWith('.new'))).toEqual([]);
});

/** A copy of the keys folder without the files matching `drop`. */
function without(drop: RegExp): string {
  const dir = join(base, `keys-without-${drop.source.replace(/\W/g, '')}`);
  if (!existsSync(dir)) {
    cpSync(keys, dir, { recursive: true });
    for (const f of readdirSync(dir)) if (drop.test(f)) rmSync(join(dir, f));
  }
  return dir;
}

test('releases published before the rotations are still served and verified', async () => {
  const state = (await loadState(new LocalDirStorage(repo)))!;
  expect(releasesOf(state, 'beta').map((x) => x.version)).toEqual(['1.7.0', '1.6.0', '1.5.0', '1.4.0', '1.3.0', '1.2.0', '1.1.0', '1.0.0']);
});
