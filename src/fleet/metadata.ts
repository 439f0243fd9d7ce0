// TUF metadata of a channel, built with @tufjs/models: roles, expiry, target paths and the
// custom fields every released file carries. Pure functions: no files, no network.
import { createHash } from 'node:crypto';
import { MetaFile, Metadata, Root, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import { CHANNELS, signerFor, tufKey } from './keys.js';
import type { Channel, PublicKeys, ReleaseInfo, SigningKey } from './types.js';

export const SPEC_VERSION = '1.0.31';
const DAY = 86_400_000;

/** How long each role's metadata stays valid: the timestamp is re-signed often (`edgeml refresh`). */
export const EXPIRY_MS = {
  root: 365 * DAY,
  targets: 180 * DAY,
  channel: 90 * DAY,
  snapshot: 30 * DAY,
  timestamp: 2 * DAY,
};

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isSemver(v: string): boolean {
  return SEMVER.test(v);
}

/** `<channel>/models/<name>/<version>/<target>/<file>`: the channel prefix is what the delegation matches. */
export function targetPath(channel: Channel, r: Pick<ReleaseInfo, 'model' | 'version' | 'target' | 'file'>): string {
  return `${channel}/models/${r.model}/${r.version}/${r.target}/${r.file}`;
}

export function expiresAt(now: Date, ms: number): string {
  // TUF wants UTC without fractional seconds.
  return new Date(Math.floor((now.getTime() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Canonical bytes as uploaded: the files are pretty-printed JSON; hashes in snapshot/timestamp cover exactly these. */
export function serialize(md: Metadata<Root | Targets | Snapshot | Timestamp>): Buffer {
  return Buffer.from(`${JSON.stringify(md.toJSON(), null, 1)}\n`);
}

export function metaFileFor(version: number, bytes: Buffer): MetaFile {
  return new MetaFile({ version, length: bytes.length, hashes: { sha256: createHash('sha256').update(bytes).digest('hex') } });
}

export function signWith<T extends Root | Targets | Snapshot | Timestamp>(signed: T, keys: SigningKey[]): Metadata<T> {
  const md = new Metadata<T>(signed);
  for (const k of keys) md.sign(signerFor(k));
  return md;
}

function idsOf(pub: PublicKeys, role: string): string[] {
  return pub.keys.filter((k) => k.role === role).map((k) => k.keyId);
}

/** Root: threshold root keys, one key each for targets, snapshot and timestamp; consistent snapshots. */
export function buildRoot(pub: PublicKeys, version: number, now: Date): Root {
  // @tufjs/models exports no Role class: build the roles through its JSON form.
  const roles = Object.fromEntries(
    ['root', 'targets', 'snapshot', 'timestamp'].map((r) => [r, { keyids: idsOf(pub, r), threshold: r === 'root' ? pub.rootThreshold : 1 }]),
  );
  const keys = Object.fromEntries(
    pub.keys.filter((k) => ['root', 'targets', 'snapshot', 'timestamp'].includes(k.role)).map((k) => [k.keyId, tufKey(k.public).toJSON()]),
  );
  return Root.fromJSON({
    _type: 'root', spec_version: SPEC_VERSION, version, expires: expiresAt(now, EXPIRY_MS.root), consistent_snapshot: true, keys, roles,
  });
}

/** Top-level targets: no files of its own, one terminating delegation per channel, matched by path prefix. */
export function buildTopTargets(pub: PublicKeys, version: number, now: Date): Targets {
  const keys = Object.fromEntries(CHANNELS.flatMap((c) => pub.keys.filter((k) => k.role === c).map((k) => [k.keyId, tufKey(k.public).toJSON()])));
  const roles = CHANNELS.map((c) => ({ name: c, keyids: idsOf(pub, c), threshold: 1, terminating: true, paths: [`${c}/models/*/*/*/*`] }));
  return Targets.fromJSON({
    _type: 'targets', spec_version: SPEC_VERSION, version, expires: expiresAt(now, EXPIRY_MS.targets), targets: {}, delegations: { keys, roles },
  });
}

export function buildChannelTargets(version: number, now: Date, files: TargetFile[]): Targets {
  const t = new Targets({ version, specVersion: SPEC_VERSION, expires: expiresAt(now, EXPIRY_MS.channel) });
  for (const f of files) t.addTarget(f);
  return t;
}

export function targetFile(path: string, sha256: string, length: number, info: ReleaseInfo): TargetFile {
  return new TargetFile({ path, length, hashes: { sha256 }, unrecognizedFields: { custom: { edgeml: info as unknown as Record<string, never> } } });
}

/** The edgeml custom fields of a target entry (null if it is not ours). */
export function releaseInfoOf(t: TargetFile): ReleaseInfo | null {
  const custom = t.custom?.edgeml as ReleaseInfo | undefined;
  return custom && typeof custom.release === 'number' && typeof custom.version === 'string' ? custom : null;
}

export function buildSnapshot(version: number, now: Date, meta: Record<string, MetaFile>): Snapshot {
  return new Snapshot({ version, specVersion: SPEC_VERSION, expires: expiresAt(now, EXPIRY_MS.snapshot), meta });
}

export function buildTimestamp(version: number, now: Date, snapshotMeta: MetaFile, expiresInMs = EXPIRY_MS.timestamp): Timestamp {
  return new Timestamp({ version, specVersion: SPEC_VERSION, expires: expiresAt(now, expiresInMs), snapshotMeta });
}
