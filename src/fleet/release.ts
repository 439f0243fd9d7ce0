// Release operations on a channel: publish, promote (or widen a rollout), roll back (forward).
// Each one uploads target files first, then commits new metadata (timestamp.json last).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetFile } from '@tufjs/models';
import { UserError } from '../errors.js';
import { CHANNELS } from './keys.js';
import { FLAG_NAMING } from './naming.js';
import { buildChannelTargets, releaseInfoOf, targetFile, targetPath } from './metadata.js';
import { commit, initChannel, keysFor, loadState, nextChannelVersion, withChannel } from './repo.js';
import { buildEvidence } from './evidence.js';
import { profileDocument } from './profile.js';
import type { Channel, ChannelState, ChannelStorage, Entry, EvidenceRef, FleetNaming, PromoteRequest, PublishRequest, ReleaseInfo, ReleaseResult, ReleaseStatus } from './types.js';

export function entriesOf(state: ChannelState, channel: Channel): Entry[] {
  return Object.values(state.channels[channel].signed.targets).flatMap((file) => {
    const info = releaseInfoOf(file);
    return info ? [{ path: file.path, file, info }] : [];
  });
}

/** Where the bytes of a target live: `targets/<dir of path>/<sha256>.<file>` (consistent snapshots). */
export function storedPath(path: string, sha256: string): string {
  const at = path.lastIndexOf('/');
  return `targets/${path.slice(0, at)}/${sha256}.${path.slice(at + 1)}`;
}

function sha(f: TargetFile): string {
  return f.hashes.sha256;
}

function maxRelease(entries: Entry[]): number {
  return entries.reduce((m, e) => Math.max(m, e.info.release), 0);
}

function result(status: ReleaseStatus, channel: Channel, entries: Entry[], timestampVersion: number): ReleaseResult {
  const i = entries[0].info;
  return {
    status, channel, model: i.model, version: i.version, release: i.release, rollout: i.rollout, timestampVersion,
    targets: entries.map((e) => ({ target: e.info.target, path: e.path, sha256: sha(e.file), bytes: e.file.length, metrics: e.info.metrics, ...(e.info.oci ? { oci: e.info.oci } : {}) })),
  };
}

/** Writes the channel role listing `files`; returns the new timestamp version. */
export async function writeChannel(storage: ChannelStorage, state: ChannelState, keysDir: string, channel: Channel, files: TargetFile[], now: Date): Promise<number> {
  const keys = keysFor(state, keysDir, channel);
  const version = await nextChannelVersion(storage, state, channel);
  return commit(storage, state, keys, now, { channel, targets: buildChannelTargets(version, now, files) });
}

function withRollout(e: Entry, channel: Channel, release: number, rollout: ReleaseInfo['rollout'], now: Date): Entry {
  const info: ReleaseInfo = { ...e.info, release, rollout, publishedAt: now.toISOString() };
  const path = targetPath(channel, info);
  return { path, info, file: targetFile(path, sha(e.file), e.file.length, info) };
}

/** Evidence of every artifact ONNX Runtime runs, made before anything is uploaded (a file it cannot load refuses the release). */
type Stored = { bytes: Buffer; ref: EvidenceRef };

/** Per target: its acceptance evidence, and its reference profile when the release has data. */
async function evidenceOf(req: PublishRequest): Promise<Map<string, Stored & { profile?: Stored }>> {
  // ONNX Runtime leaves files in TMPDIR when it starts (.ses, mat-debug-<pid>.log): give it a folder of its own, removed after.
  // Publishes running at once in one process share the folder: the first sets it, the last restores TMPDIR and removes it.
  if (ortTmp.users++ === 0) {
    ortTmp.saved = process.env.TMPDIR;
    ortTmp.dir = mkdtempSync(join(tmpdir(), 'edgeml-ort-'));
    process.env.TMPDIR = ortTmp.dir;
  }
  try {
    return await evidenceIn(req);
  } finally {
    if (--ortTmp.users === 0) {
      if (ortTmp.saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = ortTmp.saved;
      rmSync(ortTmp.dir, { recursive: true, force: true });
    }
  }
}

const ortTmp: { users: number; dir: string; saved: string | undefined } = { users: 0, dir: '', saved: undefined };

async function evidenceIn(req: PublishRequest): Promise<Map<string, Stored & { profile?: Stored }>> {
  const n = req.naming ?? FLAG_NAMING;
  const out = new Map<string, Stored & { profile?: Stored }>();
  const data = req.data ?? {};
  for (const a of req.artifacts) {
    // The drift reference of this target: its own predictions on the release's data (none without data: drift is then not judged).
    const profile = a.runtime.name === 'onnxruntime' && Object.keys(data).length
      ? await profileDocument(a.localPath, req.model, data)
      : undefined;
    if (a.evidence) {
      out.set(a.target, { ...a.evidence, profile });
      continue;
    }
    if (a.runtime.name !== 'onnxruntime') continue; // a vendor engine (TensorRT, OpenVINO IR) is checked on the device only
    try {
      out.set(a.target, { ...await buildEvidence({
        file: a.localPath, name: a.file, sha256: a.sha256, data, floor: a.floor, latency: a.latency, budgets: a.latencyBudgets,
        given: (name, file) => n.given('data', `${name}=${file}`),
      }), profile });
    } catch (e) {
      // A model that loads but cannot run on seeded random inputs (dynamic dims at 1: audio front
      // ends, say) ships without evidence: the device then loads and runs it only. Give --data to check it.
      if (e instanceof UserError || Object.keys(data).length) throw e;
    }
  }
  return out;
}

export async function publishRelease(storage: ChannelStorage, keysDir: string, req: PublishRequest, now = new Date()): Promise<ReleaseResult> {
  const evidence = await evidenceOf(req);
  return withChannel(storage, async (loaded) => {
    let state = loaded;
    if (!state) {
      await initChannel(storage, keysDir, now);
      state = (await loadState(storage))!;
    }
    keysFor(state, keysDir, req.channel); // fail on a missing or wrong key before uploading anything
    const n = req.naming ?? FLAG_NAMING;
    const entries = entriesOf(state, req.channel);
    const same = entries.filter((e) => e.info.model === req.model && e.info.version === req.version);
    if (same.length) {
      const identical = same.length === req.artifacts.length &&
        req.artifacts.every((a) => same.some((e) => e.info.target === a.target && sha(e.file) === a.sha256));
      if (!identical) {
        throw new UserError(`${n.given('version', req.version)}: ${req.model} ${req.version} is already on ${req.channel} with other files; publish a new version`);
      }
      if (same[0].info.rollout.percent !== req.rollout.percent) {
        throw new UserError(`${n.given('rollout', req.rollout.percent)}: ${req.model} ${req.version} is already on ${req.channel} at ${same[0].info.rollout.percent}%; change it with 'edgeml promote'`);
      }
      return result('unchanged', req.channel, same, state.timestamp.signed.version);
    }
    const release = maxRelease(entries) + 1;
    const rollout = { percent: req.rollout.percent, salt: randomBytes(8).toString('hex'), notBefore: req.rollout.notBefore };
    const added: Entry[] = [];
    for (const a of req.artifacts) {
      const info: ReleaseInfo = {
        model: req.model, version: req.version, release, target: a.target, file: a.file, runtime: a.runtime, hardware: a.hardware,
        precision: a.precision, metrics: metricStrings(a.metrics), rollout, publishedAt: now.toISOString(),
        ...(a.oci ? { oci: a.oci } : {}),
      };
      const e = evidence.get(a.target);
      if (e) {
        await storage.createExclusive(e.ref.path, e.bytes); // content-addressed: already there is the same file
        info.evidence = e.ref;
        if (e.profile) {
          await storage.createExclusive(e.profile.ref.path, e.profile.bytes);
          info.profile = e.profile.ref;
        }
      }
      const path = targetPath(req.channel, info);
      await storage.putTarget(storedPath(path, a.sha256), a.localPath);
      added.push({ path, info, file: targetFile(path, a.sha256, a.bytes, info) });
    }
    const ts = await writeChannel(storage, state, keysDir, req.channel, [...entries, ...added].map((e) => e.file), now);
    return result('published', req.channel, added, ts);
  });
}

function metricStrings(m: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => [k, String(v)]));
}

function needState(state: ChannelState | null, storage: ChannelStorage): ChannelState {
  if (!state) throw new UserError(`${storage.location}: empty; publish a release with 'edgeml publish' first`);
  return state;
}

function pickModel(entries: Entry[], model: string | undefined, where: string, n: FleetNaming): string {
  const models = [...new Set(entries.map((e) => e.info.model))];
  if (model) return model;
  if (models.length > 1) throw new UserError(`${where} holds several models (${models.join(', ')}); say which with ${n.name('model')}`);
  if (models.length === 0) throw new UserError(`${where} has no releases`);
  return models[0];
}

/** Copies a release into `channel` (new release counter), or changes the rollout of one already there. */
export async function promoteRelease(storage: ChannelStorage, keysDir: string, req: PromoteRequest, now = new Date()): Promise<ReleaseResult> {
  return withChannel(storage, async (loaded) => {
    const state = needState(loaded, storage);
    keysFor(state, keysDir, req.channel);
    const entries = entriesOf(state, req.channel);
    const match = (e: Entry) => e.info.version === req.version && (!req.model || e.info.model === req.model);
    const here = entries.filter(match);
    if (here.length) {
      if (here[0].info.rollout.percent === req.rollout.percent && here[0].info.rollout.notBefore === req.rollout.notBefore) {
        return result('unchanged', req.channel, here, state.timestamp.signed.version);
      }
      // Same salt, same counter: a wider rollout keeps every device already in, and they do not reinstall.
      const rollout = { ...here[0].info.rollout, percent: req.rollout.percent, notBefore: req.rollout.notBefore };
      const updated = here.map((e) => withRollout(e, req.channel, e.info.release, rollout, now));
      const files = [...entries.filter((e) => !match(e)), ...updated].map((e) => e.file);
      return result('rollout-updated', req.channel, updated, await writeChannel(storage, state, keysDir, req.channel, files, now));
    }
    const sources = req.from ? [req.from] : [...CHANNELS].reverse().filter((c) => c !== req.channel);
    const source = sources.map((c) => entriesOf(state, c).filter(match)).find((list) => list.length);
    if (!source) {
      throw new UserError(`${(req.naming ?? FLAG_NAMING).given('version', req.version)}: no release ${req.version} on ${sources.join(' or ')}; publish it there first with 'edgeml publish'`);
    }
    const rollout = { percent: req.rollout.percent, salt: randomBytes(8).toString('hex'), notBefore: req.rollout.notBefore };
    const release = maxRelease(entries) + 1;
    const added = source.map((e) => withRollout(e, req.channel, release, rollout, now));
    for (let i = 0; i < added.length; i++) {
      await storage.copy(storedPath(source[i].path, sha(source[i].file)), storedPath(added[i].path, sha(added[i].file)));
    }
    const files = [...entries, ...added].map((e) => e.file);
    return result('promoted', req.channel, added, await writeChannel(storage, state, keysDir, req.channel, files, now));
  });
}

/**
 * Rolls the channel back by rolling forward: the current release is withdrawn and the previous
 * one is re-issued under a higher release counter, to every device (100%).
 */
export async function rollbackChannel(storage: ChannelStorage, keysDir: string, req: { channel: Channel; model?: string; naming?: FleetNaming }, now = new Date()): Promise<ReleaseResult> {
  return withChannel(storage, async (loaded) => {
    const state = needState(loaded, storage);
    keysFor(state, keysDir, req.channel);
    const n = req.naming ?? FLAG_NAMING;
    const all = entriesOf(state, req.channel);
    const model = pickModel(all, req.model, `channel ${req.channel}`, n);
    const entries = all.filter((e) => e.info.model === model);
    const byRelease = [...new Set(entries.map((e) => e.info.release))].sort((a, b) => b - a);
    const current = entries.filter((e) => e.info.release === byRelease[0]);
    const prevRelease = byRelease.find((r) => entries.some((e) => e.info.release === r && e.info.version !== current[0]?.info.version));
    if (!current.length || prevRelease === undefined) {
      throw new UserError(`${n.given('channel', req.channel)}: ${model} has no earlier release to roll back to; publish a fixed version instead`);
    }
    const previous = entries.filter((e) => e.info.release === prevRelease);
    const release = maxRelease(all) + 1;
    const rollout = { percent: 100, salt: previous[0].info.rollout.salt, notBefore: null };
    const reissued = previous.map((e) => withRollout(e, req.channel, release, rollout, now));
    const dropped = new Set([...current, ...previous].map((e) => e.path));
    const files = [...all.filter((e) => !dropped.has(e.path)), ...reissued].map((e) => e.file);
    return result('rolled-back', req.channel, reissued, await writeChannel(storage, state, keysDir, req.channel, files, now));
  });
}

/** Every release on a channel, newest first (for listings and the release notes). */
export function releasesOf(state: ChannelState, channel: Channel): ReleaseInfo[] {
  return entriesOf(state, channel).map((e) => e.info).sort((a, b) => b.release - a.release);
}
