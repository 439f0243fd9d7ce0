// `edgeml refresh`: keeps every role of a channel valid between releases. The timestamp is
// re-signed on each run; a role whose expiry comes within its renewal window (or before the run
// after next) is re-signed at a new version when its key is at hand. What cannot be renewed for
// lack of a key is reported role by role, and a role that would expire before the next scheduled
// refresh makes the run fail, so the schedule's owner hears of it while devices still work.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Root, Targets } from '@tufjs/models';
import { UserError } from '../errors.js';
import { CHANNELS, loadKeysFor, loadSigningKey } from './keys.js';
import { EXPIRY_MS, buildTimestamp, expiresAt, serialize, signWith } from './metadata.js';
import { commit, withChannel } from './repo.js';
import type { Channel, ChannelState, ChannelStorage, RefreshOptions, RefreshResult, RefreshRole, RoleChange, SigningKey } from './types.js';

const DAY = 86_400_000;

/** A role is renewed when less than this is left of it (or less than two refresh intervals). */
export const RENEW_WITHIN_MS = { root: 60 * DAY, targets: 30 * DAY, channel: 14 * DAY, snapshot: 7 * DAY };

/** The key file of a role if it is in `keysDir` (a wrong key there is still an error); null if absent. */
function optionalKey(keysDir: string, file: string, role: RefreshRole, ids: string[]): SigningKey | null {
  return existsSync(join(keysDir, file)) ? loadSigningKey(keysDir, file, role as never, ids) : null;
}

/** Same fields, new version and expiry (signed fields are read-only: rebuild through JSON). */
export function renewed<T extends Root | Targets>(kind: { fromJSON(j: never): T }, signed: T, version: number, expires: string): T {
  return kind.fromJSON({ ...(signed.toJSON() as object), version, expires } as never);
}

export async function refreshChannel(storage: ChannelStorage, keysDir: string, now: Date, opts: RefreshOptions = {}): Promise<RefreshResult> {
  const tsMs = opts.timestampExpiresInMs ?? EXPIRY_MS.timestamp;
  const interval = opts.intervalMs ?? DAY;
  if (tsMs <= interval) {
    throw new UserError(`--expires ${tsMs / 3_600_000}h is not longer than --interval ${interval / 3_600_000}h: the timestamp would expire before the next refresh; make --expires at least twice --interval`);
  }
  return withChannel(storage, async (state) => {
    if (!state) throw new UserError(`${storage.location}: empty; publish a release first`);
    return refreshState(storage, state, keysDir, now, tsMs, interval);
  });
}

async function refreshState(storage: ChannelStorage, state: ChannelState, keysDir: string, now: Date, tsMs: number, interval: number): Promise<RefreshResult> {
  const roles = state.root.signed.roles;
  const timestampKey = loadSigningKey(keysDir, 'timestamp.pem', 'timestamp', roles.timestamp.keyIDs);
  const due = (s: { isExpired(at?: Date): boolean }, window: number) => s.isExpired(new Date(now.getTime() + Math.max(window, 2 * interval)));
  const out: RefreshResult = { timestampVersion: 0, expires: '', renewed: [], notRenewed: [], expiring: [] };
  const finalExpiry = new Map<RefreshRole, string>();

  // Root: a new version signed by a threshold of the same root keys (clients walk N+1.root.json).
  finalExpiry.set('root', state.root.signed.expires);
  if (due(state.root.signed, RENEW_WITHIN_MS.root)) {
    const rootKeys = loadKeysFor(keysDir, 'root', roles.root.keyIDs);
    const threshold = roles.root.threshold;
    if (rootKeys.length < threshold) {
      out.notRenewed.push({ role: 'root', expires: state.root.signed.expires, missing: `${threshold} root keys (root-N.pem), found ${rootKeys.length}` });
    } else {
      const version = state.root.signed.version + 1;
      const root = renewed(Root, state.root.signed, version, expiresAt(now, EXPIRY_MS.root));
      const bytes = serialize(signWith(root, rootKeys.slice(0, threshold)));
      if (!(await storage.createExclusive(`${version}.root.json`, bytes))) throw new UserError(`${storage.location}/${version}.root.json: already exists but root.json is older; restore the channel from its source`);
      await storage.replace('root.json', bytes);
      out.renewed.push({ role: 'root', version, expires: root.expires });
      finalExpiry.set('root', root.expires);
    }
  }

  // Targets roles (top-level and channels) go through a new snapshot, so they need its key too.
  const snapshotKey = optionalKey(keysDir, 'snapshot.pem', 'snapshot', roles.snapshot.keyIDs);
  const changes: RoleChange[] = [];
  const targetsRoles: Array<{ role: 'targets' | Channel; md: Targets; window: number; ids: string[]; life: number }> = [
    { role: 'targets', md: state.top.signed, window: RENEW_WITHIN_MS.targets, ids: roles.targets.keyIDs, life: EXPIRY_MS.targets },
    ...CHANNELS.map((c) => ({
      role: c, md: state.channels[c].signed, window: RENEW_WITHIN_MS.channel, ids: state.top.signed.delegations?.roles?.[c]?.keyIDs ?? [], life: EXPIRY_MS.channel,
    })),
  ];
  for (const t of targetsRoles) {
    finalExpiry.set(t.role, t.md.expires);
    if (!due(t.md, t.window)) continue;
    const key = optionalKey(keysDir, `${t.role}.pem`, t.role, t.ids);
    if (!key || !snapshotKey) {
      const missing = [!key && `${t.role}.pem`, !snapshotKey && 'snapshot.pem'].filter(Boolean).join(' and ');
      out.notRenewed.push({ role: t.role, expires: t.md.expires, missing });
      continue;
    }
    const signed = renewed(Targets, t.md, t.md.version + 1, expiresAt(now, t.life));
    changes.push({ role: t.role, signed, key });
  }

  finalExpiry.set('snapshot', state.snapshot.signed.expires);
  const snapshotDue = due(state.snapshot.signed, RENEW_WITHIN_MS.snapshot);
  if (snapshotKey && (snapshotDue || changes.length)) {
    out.timestampVersion = await commit(storage, state, { snapshot: snapshotKey, timestamp: timestampKey }, now, changes, tsMs);
    for (const c of changes) {
      out.renewed.push({ role: c.role, version: c.signed.version, expires: c.signed.expires });
      finalExpiry.set(c.role, c.signed.expires);
    }
    const snapExpires = expiresAt(now, EXPIRY_MS.snapshot);
    out.renewed.push({ role: 'snapshot', version: snapshotVersionOf(await storage.read('timestamp.json')), expires: snapExpires });
    finalExpiry.set('snapshot', snapExpires);
  } else {
    if (snapshotDue) out.notRenewed.push({ role: 'snapshot', expires: state.snapshot.signed.expires, missing: 'snapshot.pem' });
    const ts = buildTimestamp(state.timestamp.signed.version + 1, now, state.timestamp.signed.snapshotMeta, tsMs);
    await storage.replace('timestamp.json', serialize(signWith(ts, [timestampKey])));
    out.timestampVersion = ts.version;
  }
  out.expires = expiresAt(now, tsMs);
  const nextRun = now.getTime() + interval;
  for (const [role, expires] of finalExpiry) if (Date.parse(expires) <= nextRun) out.expiring.push({ role, expires });
  return out;
}

function snapshotVersionOf(bytes: Buffer | null): number {
  return bytes ? (JSON.parse(bytes.toString('utf8')) as { signed: { meta: Record<string, { version: number }> } }).signed.meta['snapshot.json'].version : 0;
}
