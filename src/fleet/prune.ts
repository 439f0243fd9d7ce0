// `edgeml prune`: a channel role lists every release ever published to it, so each new release
// makes every device download a longer role, and the store keeps every model file. Prune keeps
// the newest `keep` releases of each model on a channel (what rollback and partial rollouts need)
// and re-signs the role without the rest; then it deletes the stored files (and Mender
// Artifacts) no remaining release of any channel uses. Metadata first, files after: a device that
// reads the new role never looks for a deleted file.
import { UserError } from '../errors.js';
import { CHANNELS } from './keys.js';
import { menderPath } from './mender.js';
import { entriesOf, storedPath, writeChannel } from './release.js';
import { keysFor, withChannel } from './repo.js';
import type { ChannelStorage, Entry, PruneRequest, PruneResult } from './types.js';

const sha = (e: Entry) => e.file.hashes.sha256;
const releaseOf = (e: Entry) => ({ model: e.info.model, version: e.info.version, release: e.info.release });

function unique(list: Array<{ model: string; version: string; release: number }>) {
  return [...new Map(list.map((x) => [`${x.model}#${x.release}`, x])).values()].sort((a, b) => a.model.localeCompare(b.model) || b.release - a.release);
}

export async function pruneChannel(storage: ChannelStorage, keysDir: string, req: PruneRequest, now = new Date()): Promise<PruneResult> {
  if (!Number.isInteger(req.keep) || req.keep < 1) throw new UserError(`--keep ${req.keep}: keep at least 1 release (2 or more if you may need 'edgeml rollback')`);
  return withChannel(storage, async (state) => {
    if (!state) throw new UserError(`${storage.location}: empty; nothing to prune`);
    keysFor(state, keysDir, req.channel); // the channel, snapshot and timestamp keys, before anything changes
    const entries = entriesOf(state, req.channel);
    if (req.model && !entries.some((e) => e.info.model === req.model)) {
      throw new UserError(`--model ${req.model}: no release of it on ${req.channel}; models there: ${[...new Set(entries.map((e) => e.info.model))].join(', ') || 'none'}`);
    }
    const keepRelease = new Set<string>();
    for (const model of new Set(entries.map((e) => e.info.model))) {
      const releases = [...new Set(entries.filter((e) => e.info.model === model).map((e) => e.info.release))].sort((a, b) => b - a);
      const kept = req.model && req.model !== model ? releases : releases.slice(0, req.keep);
      for (const r of kept) keepRelease.add(`${model}#${r}`);
    }
    const isKept = (e: Entry) => keepRelease.has(`${e.info.model}#${e.info.release}`);
    const kept = entries.filter(isKept);
    const dropped = entries.filter((e) => !isKept(e));
    const result = (status: PruneResult['status'], removed: string[], timestampVersion: number): PruneResult => ({
      status, channel: req.channel, kept: unique(kept.map(releaseOf)), dropped: unique(dropped.map(releaseOf)), removed, timestampVersion,
    });
    if (!dropped.length) return result('unchanged', [], state.timestamp.signed.version);
    const ts = await writeChannel(storage, state, keysDir, req.channel, kept.map((e) => e.file), now);

    // Files still in use by what remains on any channel (a promoted release shares its bytes in a release store).
    const remaining = [...kept, ...CHANNELS.filter((c) => c !== req.channel).flatMap((c) => entriesOf(state, c))];
    const inUse = new Set(remaining.map((e) => storage.fileKey(storedPath(e.path, sha(e)))));
    const removed: string[] = [];
    for (const e of dropped) {
      const file = storedPath(e.path, sha(e));
      const mender = menderPath({ channel: req.channel, model: e.info.model, version: e.info.version }, e.info.target);
      for (const path of [file, mender]) {
        const key = storage.fileKey(path);
        if (inUse.has(key) || removed.includes(path)) continue;
        if (await storage.remove(path)) removed.push(path);
      }
    }
    return result('pruned', removed, ts);
  });
}
