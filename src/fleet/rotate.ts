// `edgeml keys rotate`: replace one signing key of a channel (a leaked CI key, a departing holder
// of a root key) without re-provisioning a single device. Devices trust only their shipped root;
// they follow the change the way TUF intends:
// - root-N, targets, snapshot, timestamp: a new root version lists the new key (signed by a
//   threshold of the current root keys and, for a root key, a threshold of the new set too);
//   devices walk N+1.root.json. The role is re-signed first by the old and the new key together,
//   so it verifies under the old root and the new one alike, and only then is the new root stored.
// - a channel (canary, beta, stable): the top-level targets (offline targets key) delegates to the
//   new key, and the channel role is re-signed with it.
// The new private key is written to `<file>.new` before anything is stored, and moved into place
// (the old one to retired/) only once the channel lists it: a rotation cut short at any point is
// finished by running the same command again, with the same new key.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Root, Targets } from '@tufjs/models';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../documents/index.js';
import { CHANNELS, PUBLIC_FILE, isChannel, loadKeysFor, loadSigningKey, newKey, readPublicKeys, readSigningKey, tufKey, writePrivateKey } from './keys.js';
import { EXPIRY_MS, expiresAt, serialize, signWith } from './metadata.js';
import { renewed } from './refresh.js';
import { commit, loadState, withChannel } from './repo.js';
import type { Channel, ChannelState, ChannelStorage, PublicKeys, RoleChange, RoleName, RotateResult, RotateTarget, SigningKey } from './types.js';

const ROOT_ROLES = ['targets', 'snapshot', 'timestamp'] as const;

/** `--role` values: root-N, targets, snapshot, timestamp, canary, beta, stable. */
export function parseRotateRole(value: string | undefined): RotateTarget {
  if (value && /^root-[1-9]\d*$/.test(value)) return { role: 'root', file: `${value}.pem` };
  if (value && ((ROOT_ROLES as readonly string[]).includes(value) || isChannel(value))) return { role: value as RoleName, file: `${value}.pem` };
  throw new UserError(`--role ${JSON.stringify(value ?? '')}: name the key to replace: root-N (e.g. root-2), targets, snapshot, timestamp, ${CHANNELS.join(', ')}`);
}

/** Key ids the channel's metadata lists for the role now. */
function listed(state: ChannelState, role: RoleName): string[] {
  if (isChannel(role)) return state.top.signed.delegations?.roles?.[role]?.keyIDs ?? [];
  return state.root.signed.roles[role].keyIDs;
}

/** Whether the role's current metadata carries a signature by `keyId`. */
function signedBy(state: ChannelState, role: Exclude<RoleName, 'root'>, keyId: string): boolean {
  const md = isChannel(role) ? state.channels[role] : role === 'targets' ? state.top : role === 'snapshot' ? state.snapshot : state.timestamp;
  return !!md.signatures[keyId];
}

/** Root's JSON with `oldId` replaced by `key` in `role` (and in the key list, unless another role still uses it). */
function rootWith(root: Root, role: RoleName, oldId: string, key: SigningKey, version: number, now: Date): Root {
  const json = root.toJSON() as { keys: Record<string, unknown>; roles: Record<string, { keyids: string[] }> };
  json.roles[role].keyids = json.roles[role].keyids.map((id) => (id === oldId ? key.keyId : id));
  json.keys[key.keyId] = tufKey(key.public).toJSON();
  if (!Object.values(json.roles).some((r) => r.keyids.includes(oldId))) delete json.keys[oldId];
  return Root.fromJSON({ ...json, version, expires: expiresAt(now, EXPIRY_MS.root) } as never);
}

function topWith(top: Targets, channel: Channel, oldId: string, key: SigningKey, version: number, now: Date): Targets {
  const json = top.toJSON() as { delegations: { keys: Record<string, unknown>; roles: Array<{ name: string; keyids: string[] }> } };
  for (const r of json.delegations.roles) if (r.name === channel) r.keyids = r.keyids.map((id) => (id === oldId ? key.keyId : id));
  json.delegations.keys[key.keyId] = tufKey(key.public).toJSON();
  if (!json.delegations.roles.some((r) => r.keyids.includes(oldId))) delete json.delegations.keys[oldId];
  return Targets.fromJSON({ ...json, version, expires: expiresAt(now, EXPIRY_MS.targets) } as never);
}

/**
 * Stores the channel's side of the rotation; the caller then runs finishRotation on the keys
 * folder. Idempotent: each step is skipped when the channel already shows it done.
 */
export async function rotateKey(storage: ChannelStorage, keysDir: string, which: RotateTarget, now = new Date()): Promise<RotateResult> {
  const pub = readPublicKeys(keysDir);
  const old = pub.keys.find((k) => k.file === which.file);
  if (!old) throw new UserError(`${join(keysDir, PUBLIC_FILE)}: lists no ${which.file}; give --keys the folder made by 'edgeml keys init'`);
  const pendingPath = join(keysDir, `${which.file}.new`);
  return withChannel(storage, async (state) => {
    if (!state) throw new UserError(`${storage.location}: empty; there are no keys to rotate before the first publish`);
    const ids = listed(state, which.role);
    let created = false;
    let key: SigningKey;
    if (existsSync(pendingPath)) {
      key = readSigningKey(keysDir, `${which.file}.new`, which.role); // an earlier run's key: finish with it
    } else {
      if (!ids.includes(old.keyId)) {
        throw new UserError(`${join(keysDir, which.file)}: key ${old.keyId.slice(0, 12)} is not the channel's ${which.role} key; give --keys the folder whose keys signed this channel`);
      }
      const fresh = newKey(which.role, `${which.file}.new`);
      writePrivateKey(pendingPath, fresh.pem);
      created = true;
      key = readSigningKey(keysDir, `${which.file}.new`, which.role);
    }
    try {
      return await storeRotation(storage, state, keysDir, which, old.keyId, key, now);
    } catch (e) {
      // Nothing of it reached the channel (no role lists the new key, nothing is signed by it): no key to keep.
      const after = (await loadState(storage).catch(() => null)) ?? state;
      const used = listed(after, which.role).includes(key.keyId) || (which.role !== 'root' && signedBy(after, which.role, key.keyId));
      if (created && !used) rmSync(pendingPath, { force: true });
      throw e;
    }
  });
}

async function storeRotation(
  storage: ChannelStorage, state: ChannelState, keysDir: string, which: RotateTarget, oldId: string, key: SigningKey, now: Date,
): Promise<RotateResult> {
  const roles = state.root.signed.roles;
  const result: RotateResult = { role: which.role, file: which.file, oldKeyId: oldId, newKeyId: key.keyId, rootVersion: null, timestampVersion: null };
  // Every key the rotation needs is loaded before anything is written.
  const rootDone = isChannel(which.role) || roles[which.role].keyIDs.includes(key.keyId);
  const rootKeys = rootDone ? [] : loadKeysFor(keysDir, 'root', roles.root.keyIDs);
  const stayingRootKeys = rootKeys.filter((k) => k.keyId !== oldId).length + (which.role === 'root' ? 1 : 0);
  if (!rootDone && (rootKeys.length < roles.root.threshold || (which.role === 'root' && stayingRootKeys < roles.root.threshold))) {
    throw new UserError(
      `--keys ${keysDir}: replacing the ${which.file.replace(/\.pem$/, '')} key needs ${roles.root.threshold} root keys (root-N.pem) of the current root${which.role === 'root' ? ' besides the one replaced' : ''} to sign the new root, found ${which.role === 'root' ? stayingRootKeys - 1 : rootKeys.length}; run it where the offline root keys are`,
    );
  }
  const channel = isChannel(which.role) ? which.role : null;
  const needsCommit = which.role !== 'root' && !signedBy(state, which.role, key.keyId);
  const targetsKey = channel && !listed(state, channel).includes(key.keyId) ? loadSigningKey(keysDir, 'targets.pem', 'targets', roles.targets.keyIDs) : null;
  // While devices may still trust the old root, a root-level role signed by the old key and the
  // new one verifies under either root: sign with both, then publish the new root. Without the
  // old key (lost), the new root goes first and a device polling in between fails that one poll.
  const oldKey = !channel && which.role !== 'root' && needsCommit && !rootDone && existsSync(join(keysDir, which.file))
    ? loadSigningKey(keysDir, which.file, which.role, [oldId]) : null;
  const signers = oldKey ? [oldKey, key] : key;
  const withNew = (role: 'snapshot' | 'timestamp') => (which.role === role ? signers : loadSigningKey(keysDir, `${role}.pem`, role, roles[role].keyIDs));
  const commitKeys = needsCommit ? { snapshot: withNew('snapshot'), timestamp: withNew('timestamp') } : null;
  const changes: RoleChange[] = [];

  const writeRoot = async () => {
    const version = state.root.signed.version + 1;
    const root = rootWith(state.root.signed, which.role, oldId, key, version, now);
    // A new root key signs too: the new root needs a threshold of the new set as well.
    const rootSigners = which.role === 'root' ? [...rootKeys, key] : rootKeys.slice(0, roles.root.threshold);
    const bytes = serialize(signWith(root, rootSigners));
    if (!(await storage.createExclusive(`${version}.root.json`, bytes))) {
      throw new UserError(`${storage.location}/${version}.root.json: already exists but root.json is older; restore the channel from its source`);
    }
    await storage.replace('root.json', bytes);
    result.rootVersion = version;
  };
  if (rootKeys.length && !oldKey) await writeRoot();
  if (commitKeys) {
    if (channel) {
      if (targetsKey) {
        const top = topWith(state.top.signed, channel, oldId, key, state.top.signed.version + 1, now);
        changes.push({ role: 'targets', signed: top, key: targetsKey });
      }
      const c = state.channels[channel].signed;
      changes.push({ role: channel, signed: renewed(Targets, c, c.version + 1, expiresAt(now, EXPIRY_MS.channel)), key });
    } else if (which.role === 'targets') {
      const t = state.top.signed;
      changes.push({ role: 'targets', signed: renewed(Targets, t, t.version + 1, expiresAt(now, EXPIRY_MS.targets)), key: signers });
    }
    // snapshot and timestamp: the commit itself signs them with the new key.
    result.timestampVersion = await commit(storage, state, commitKeys, now, changes);
  }
  if (rootKeys.length && oldKey) await writeRoot();
  return result;
}

/**
 * Moves the new key into place once the channel lists it: `<file>` to retired/<name>-<keyid>.pem,
 * `<file>.new` to `<file>`, and public.json updated (atomically). Safe to run again.
 */
export function finishRotation(keysDir: string, r: RotateResult): string | null {
  const pending = join(keysDir, `${r.file}.new`);
  if (!existsSync(pending)) return null;
  const retiredDir = join(keysDir, 'retired');
  mkdirSync(retiredDir, { recursive: true, mode: 0o700 });
  const retired = join(retiredDir, `${r.file.replace(/\.pem$/, '')}-${r.oldKeyId.slice(0, 12)}.pem`);
  const current = join(keysDir, r.file);
  if (existsSync(current)) {
    // Only the key the channel no longer lists goes to retired/ (a finished run left the new one here).
    if (readSigningKey(keysDir, r.file, r.role).keyId !== r.newKeyId) renameSync(current, retired);
    else rmSync(current);
  }
  renameSync(pending, current);
  const pub: PublicKeys = readPublicKeys(keysDir);
  const key = readSigningKey(keysDir, r.file, r.role);
  pub.keys = pub.keys.map((k) => (k.file === r.file ? { role: k.role, file: k.file, keyId: key.keyId, public: key.public } : k));
  writeFileAtomic(join(keysDir, PUBLIC_FILE), `${JSON.stringify(pub, null, 2)}\n`);
  chmodSync(join(keysDir, PUBLIC_FILE), 0o644);
  return existsSync(retired) ? retired : null;
}
