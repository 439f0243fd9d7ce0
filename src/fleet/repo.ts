// A channel repository on a ChannelStorage: load the current metadata, and commit a change as new
// versioned files (channel role, snapshot) followed by timestamp.json last, so a reader (a CDN, a
// device mid-poll) only ever sees a complete state. Writers hold the lock; versioned files are
// created exclusively, and a lost race reloads and retries.
import { Metadata, MetadataKind, type MetaFile, type Root, type Snapshot, type Targets, type Timestamp } from '@tufjs/models';
import { UserError, oneLine } from '../errors.js';
import { CHANNELS, loadKeysFor, loadSigningKey, readPublicKeys } from './keys.js';
import { EXPIRY_MS, buildChannelTargets, buildRoot, buildSnapshot, buildTimestamp, buildTopTargets, metaFileFor, serialize, signWith } from './metadata.js';
import type { Channel, ChannelState, ChannelStorage, RoleChange, SigningKey, SigningKeys } from './types.js';

export class ConflictError extends Error {}

async function readJson(storage: ChannelStorage, path: string): Promise<Record<string, unknown>> {
  const bytes = await storage.read(path);
  if (!bytes) throw new UserError(`${storage.location}/${path}: missing; the channel is incomplete (restore it from its source)`);
  try {
    return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`${storage.location}/${path}: not JSON (${oneLine(e)}); restore it from its source`);
  }
}

function parse<T extends MetadataKind>(kind: T, json: Record<string, unknown>, where: string) {
  try {
    return Metadata.fromJSON(kind as MetadataKind.Targets, json as never);
  } catch (e) {
    throw new UserError(`${where}: not TUF ${kind} metadata (${oneLine(e)}); restore it from its source`);
  }
}

/** The current state of the channel, or null when `storage` holds nothing yet. */
export async function loadState(storage: ChannelStorage): Promise<ChannelState | null> {
  const top = (await storage.list('')).filter((f) => !f.startsWith('.'));
  if (!top.includes('timestamp.json')) {
    if (top.length === 0) return null;
    throw new UserError(`${storage.location}: not an edgeml channel (no timestamp.json); give the channel's folder (or release tag), or an empty one to create a channel`);
  }
  const where = (p: string) => `${storage.location}/${p}`;
  const timestamp = Metadata.fromJSON(MetadataKind.Timestamp, (await readJson(storage, 'timestamp.json')) as never);
  const snapName = `${timestamp.signed.snapshotMeta.version}.snapshot.json`;
  const snapshot = Metadata.fromJSON(MetadataKind.Snapshot, (await readJson(storage, snapName)) as never);
  const root = Metadata.fromJSON(MetadataKind.Root, (await readJson(storage, 'root.json')) as never);
  const versionOf = (role: string) => {
    const m = snapshot.signed.meta[`${role}.json`];
    if (!m) throw new UserError(`${where(snapName)}: lists no ${role}.json; restore the channel from its source`);
    return m.version;
  };
  const tname = `${versionOf('targets')}.targets.json`;
  const topTargets = parse(MetadataKind.Targets, await readJson(storage, tname), where(tname)) as Metadata<Targets>;
  const channels = {} as Record<Channel, Metadata<Targets>>;
  for (const c of CHANNELS) {
    const name = `${versionOf(c)}.${c}.json`;
    channels[c] = parse(MetadataKind.Targets, await readJson(storage, name), where(name)) as Metadata<Targets>;
  }
  const state = { root, top: topTargets, channels, snapshot, timestamp };
  verifyState(state, storage.location);
  return state;
}

/** The signatures of what we are about to build on must hold: catches a tampered or foreign repo. */
function verifyState(s: ChannelState, location: string): void {
  try {
    s.root.verifyDelegate('root', s.root);
    s.root.verifyDelegate('timestamp', s.timestamp);
    s.root.verifyDelegate('snapshot', s.snapshot);
    s.root.verifyDelegate('targets', s.top);
    for (const c of CHANNELS) s.top.verifyDelegate(c, s.channels[c]);
  } catch (e) {
    throw new UserError(`${location}: its metadata does not verify (${oneLine(e)}); restore the channel from its source`);
  }
}

/** Next free version of a versioned file: past the current one and past any file a crashed writer left. */
export async function nextVersion(storage: ChannelStorage, role: string, current: number): Promise<number> {
  let max = current;
  const re = new RegExp(`^(\\d+)\\.${role}\\.json$`);
  for (const f of await storage.list('')) {
    const m = re.exec(f);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** Loads (and checks against the channel's metadata) the keys an operation needs. */
export function keysFor(state: ChannelState, keysDir: string, channel: Channel | null): SigningKeys {
  const roles = state.root.signed.roles;
  // The channel key first: it is the one a CI job most often gets wrong.
  let channelKey: SigningKey | undefined;
  if (channel) {
    const role = state.top.signed.delegations?.roles?.[channel];
    if (!role) throw new UserError(`--repo: the channel has no ${channel} role; use one of ${CHANNELS.join(', ')}`);
    channelKey = loadSigningKey(keysDir, `${channel}.pem`, channel, role.keyIDs);
  }
  const keys: SigningKeys = {
    snapshot: loadSigningKey(keysDir, 'snapshot.pem', 'snapshot', roles.snapshot.keyIDs),
    timestamp: loadSigningKey(keysDir, 'timestamp.pem', 'timestamp', roles.timestamp.keyIDs),
    channel: channelKey,
  };
  return keys;
}

/**
 * Writes a new channel role (if given), a new snapshot and then timestamp.json. Throws
 * ConflictError when another writer took a version first; nothing visible has changed then.
 */
export async function commit(
  storage: ChannelStorage, state: ChannelState, keys: SigningKeys, now: Date,
  change: { channel: Channel; targets: Targets } | RoleChange[] | null,
  timestampExpiresInMs = EXPIRY_MS.timestamp,
): Promise<number> {
  const created: string[] = [];
  const create = async (name: string, bytes: Buffer) => {
    if (!(await storage.createExclusive(name, bytes))) {
      for (const c of created) await storage.remove(c);
      throw new ConflictError(name);
    }
    created.push(name);
  };
  const meta: Record<string, MetaFile> = { ...state.snapshot.signed.meta };
  let changes: RoleChange[] = [];
  if (Array.isArray(change)) changes = change;
  else if (change) {
    if (!keys.channel) throw new Error('internal: channel key not loaded');
    changes = [{ role: change.channel, signed: change.targets, key: keys.channel }];
  }
  for (const c of changes) {
    const bytes = serialize(signWith(c.signed, [c.key].flat()));
    await create(`${c.signed.version}.${c.role}.json`, bytes);
    meta[`${c.role}.json`] = metaFileFor(c.signed.version, bytes);
  }
  const snapVersion = await nextVersion(storage, 'snapshot', state.snapshot.signed.version);
  const snapBytes = serialize(signWith(buildSnapshot(snapVersion, now, meta), [keys.snapshot].flat()));
  await create(`${snapVersion}.snapshot.json`, snapBytes);
  // Compare-and-swap on the timestamp version: if it moved since we loaded, someone else committed.
  const current = await storage.read('timestamp.json');
  const currentVersion = current ? (JSON.parse(current.toString('utf8')) as { signed: { version: number } }).signed.version : 0;
  if (currentVersion !== state.timestamp.signed.version) {
    for (const c of created) await storage.remove(c);
    throw new ConflictError('timestamp.json');
  }
  const ts = buildTimestamp(currentVersion + 1, now, metaFileFor(snapVersion, snapBytes), timestampExpiresInMs);
  await storage.replace('timestamp.json', serialize(signWith(ts, [keys.timestamp].flat())));
  return ts.version;
}

/** The new version a changed channel role gets. */
export async function nextChannelVersion(storage: ChannelStorage, state: ChannelState, channel: Channel): Promise<number> {
  return nextVersion(storage, channel, state.channels[channel].signed.version);
}

/** Runs `fn` under the channel lock, reloading and retrying when a concurrent writer wins a version. */
export async function withChannel<T>(storage: ChannelStorage, fn: (state: ChannelState | null) => Promise<T>): Promise<T> {
  const release = await storage.lock();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(await loadState(storage));
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= 5) throw e;
      }
    }
  } finally {
    await release();
  }
}

/** Creates an empty channel: root (threshold of the root keys), targets delegating each channel, snapshot, timestamp. */
export async function initChannel(storage: ChannelStorage, keysDir: string, now: Date): Promise<void> {
  const pub = readPublicKeys(keysDir);
  const rootIds = pub.keys.filter((k) => k.role === 'root').map((k) => k.keyId);
  const rootKeys = loadKeysFor(keysDir, 'root', rootIds);
  if (rootKeys.length < pub.rootThreshold) {
    throw new UserError(
      `--keys ${keysDir}: creating a channel needs ${pub.rootThreshold} root keys (root-N.pem), found ${rootKeys.length}; run once where the offline root keys are`,
    );
  }
  const id = (role: string) => pub.keys.filter((k) => k.role === role).map((k) => k.keyId);
  const targetsKey = loadSigningKey(keysDir, 'targets.pem', 'targets', id('targets'));
  const snapshotKey = loadSigningKey(keysDir, 'snapshot.pem', 'snapshot', id('snapshot'));
  const timestampKey = loadSigningKey(keysDir, 'timestamp.pem', 'timestamp', id('timestamp'));
  const root = serialize(signWith(buildRoot(pub, 1, now), rootKeys.slice(0, pub.rootThreshold)));
  const files: Array<[string, Buffer]> = [['1.root.json', root], ['root.json', root]];
  const meta: Record<string, MetaFile> = {};
  const top = serialize(signWith(buildTopTargets(pub, 1, now), [targetsKey]));
  files.push(['1.targets.json', top]);
  meta['targets.json'] = metaFileFor(1, top);
  for (const c of CHANNELS) {
    const key = loadSigningKey(keysDir, `${c}.pem`, c, id(c));
    const bytes = serialize(signWith(buildChannelTargets(1, now, []), [key]));
    files.push([`1.${c}.json`, bytes]);
    meta[`${c}.json`] = metaFileFor(1, bytes);
  }
  const snap = serialize(signWith(buildSnapshot(1, now, meta), [snapshotKey]));
  files.push(['1.snapshot.json', snap]);
  for (const [name, bytes] of files) {
    if (!(await storage.createExclusive(name, bytes))) throw new ConflictError(name);
  }
  const ts = serialize(signWith(buildTimestamp(1, now, metaFileFor(1, snap)), [timestampKey]));
  await storage.replace('timestamp.json', ts);
}
