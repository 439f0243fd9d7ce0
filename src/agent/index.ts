// `edgeml agent`: one poll = refresh the channel with tuf-js from the device's trusted root, pick
// the newest release for this target, hardware and rollout cohort, download and verify it,
// health-check it, switch slots. Any failure leaves the current model in place and is reported
// in status.json.
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import type { Updater } from 'tuf-js';
import { UserError, oneLine } from '../errors.js';
import { cohortBucket, inRollout, releaseInfoOf, storedPath, type Channel, type ReleaseInfo } from '../fleet/index.js';
import { TargetFile } from '@tufjs/models';
import { channelFileUrl, makeUpdater } from './channel.js';
import { downloadResumable, partialFile } from './download.js';
import { runHealthCheck, type HealthResult } from './health.js';
import { PROFILE_FILE } from './serve.js';
import type { AgentEvent } from './report.js';
import { activate, currentSlot, installed, layout, otherSlot, pointAt, recover, stage, unpoint, writeJsonAtomic, type Installed, type Layout } from './slots.js';
import type { Acceptance, AgentState, AgentStatus, PollResult } from './types.js';

export { checkModel, exitWithParent } from './health.js';
export { checkTrustedRoot, isReleaseChannel, releaseAssetFetcher } from './channel.js';
export { nextDelay, MIN_INTERVAL_MS } from './schedule.js';
export { AgentServer, PROFILE_FILE, type AgentServeOptions } from './serve.js';
export { DISPATCH_FILE, Dispatcher, readTokenFile, type DispatchStatus } from './dispatch.js';
export type { AgentState, AgentStatus, PollResult } from './types.js';

const EVIDENCE_FILE = 'evidence.json';

export interface AgentOptions {
  channelUrl: string;
  root: string;
  channel: Channel;
  target: string;
  dir: string;
  deviceId: string;
  model?: string;
  accelerator: string;
  maxLatencyMs: number | null;
  /** The CLI script that runs `agent-health` in a child process. */
  cli: string;
  /** The longest a download may go without a byte (and the limit of each metadata request). */
  fetchTimeoutMs: number;
  /** A registry mirroring the releases' OCI artifacts (`--oci-mirror`): model bytes come from it by digest. */
  ociMirror?: string | null;
  /** Told the release a poll wants and each step on it (the fleet reporter, src/agent/report.ts). */
  observe?: (e: AgentEvent) => void;
  /** Called after every state change, with the status just written (a reporter hooks in here). */
  onState?: (s: AgentStatus) => void;
}

function acceptanceOf(check: Acceptance['check'], info: ReleaseInfo, r: HealthResult): Acceptance {
  return { check, release: info.release, version: info.version, ok: r.ok, cosine: r.cosine ?? null, top1Agreement: r.top1Agreement ?? null, latency: r.latency ?? [] };
}

/**
 * Tests only: EDGEML_TEST_SLOW_AFTER_SWITCH=<sha256>:<ms> makes every timed inference of the check
 * after the switch to the release with that exact sha256 take <ms> longer, as a device that turns
 * slow once the model is installed would. Nothing else reads it; a production device cannot match
 * the sha256 of a release not yet published, so it never applies there by accident.
 */
function testSlowdown(sha256: string): number {
  const m = /^([0-9a-f]{64}):(\d+)$/.exec(process.env.EDGEML_TEST_SLOW_AFTER_SWITCH ?? '');
  return m && m[1] === sha256 ? Number(m[2]) : 0;
}

function readStatus(l: Layout): Partial<AgentStatus> {
  try {
    return JSON.parse(readFileSync(l.status, 'utf8')) as AgentStatus;
  } catch {
    return {};
  }
}

/** onnxruntime-node's version, found where loadOrt finds the package (without loading it). */
export function runtimeVersion(): string | null {
  const require = createRequire(import.meta.url);
  const paths = [process.env.EDGEML_RUNTIME_DIR, dirname(fileURLToPath(import.meta.url)), process.cwd()].filter((p): p is string => !!p);
  try {
    return (require(require.resolve('onnxruntime-node/package.json', { paths })) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Whether the runtime on the device is in the release's range: any npm semver range ('*', '>=1.20.0 <2.0.0', '^1.20.0'). */
export function runtimeFits(range: string, version: string | null): boolean {
  if (range.trim() === '*' || range.trim() === '') return true;
  if (!version || !semver.validRange(range)) return false; // an unreadable range never matches: refuse rather than guess
  return semver.satisfies(version, range, { includePrerelease: true });
}

// Failures to reach the channel at all (as opposed to a channel that answered with something wrong).
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export function isUnreachable(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
    for (const inner of (c as { errors?: unknown[] }).errors ?? []) if (isUnreachable(inner)) return true;
  }
  return false;
}

export function hardwareFits(info: ReleaseInfo, accelerator: string): boolean {
  const h = info.hardware;
  return (h.os === 'any' || h.os === process.platform) && (h.arch === 'any' || h.arch === process.arch) &&
    (h.accelerator === 'none' || h.accelerator === accelerator);
}

/** Candidates from the channel role tuf-js has just verified and persisted, newest first. */
async function candidates(up: Updater, opts: AgentOptions, l: Layout, model: string | undefined): Promise<ReleaseInfo[]> {
  // Looking up a path under the channel makes tuf-js load and verify the channel's role.
  await up.getTargetInfo(`${opts.channel}/models/_/_/_/_`);
  const doc = JSON.parse(readFileSync(join(l.metadata, `${opts.channel}.json`), 'utf8')) as { signed: { targets: Record<string, unknown> } };
  const version = runtimeVersion();
  return Object.entries(doc.signed.targets)
    .map(([path, t]) => releaseInfoOf(TargetFile.fromJSON(path, t as never)))
    .filter((i): i is ReleaseInfo => !!i)
    .filter((i) => i.target === opts.target && (!model || i.model === model))
    .filter((i) => hardwareFits(i, opts.accelerator) && i.runtime.name === 'onnxruntime' && runtimeFits(i.runtime.versionRange, version))
    .sort((a, b) => b.release - a.release);
}

/** The state of a poll as status.json (and any reporter) sees it. */

function finalState(result: PollResult): AgentState {
  if (result === 'installed') return 'success';
  if (result === 'rolled-back') return 'rolled-back';
  return result === 'health-check-failed' || result === 'error' || result === 'unreachable' ? 'failure' : 'idle';
}

/** The one place status.json changes: every state change of a poll goes through here. */
function reporter(l: Layout, opts: AgentOptions, base: AgentStatus) {
  let status = base;
  let lastProgress = 0;
  return {
    get: () => status,
    set(patch: Partial<AgentStatus>) {
      status = { ...status, ...patch };
      writeJsonAtomic(l.status, status);
      opts.onState?.(status);
    },
    /** Download progress: written at most once a second. */
    progress(bytes: number, total: number) {
      if (bytes < total && Date.now() - lastProgress < 1000) return;
      lastProgress = Date.now();
      this.set({ download: { ...status.download!, bytes, total } });
    },
  };
}

/** `previous` from the last status, only while its slot still holds that release (a kill may have removed it). */
function stillThere(l: Layout, p: Installed | null | undefined): Installed | null {
  const inSlot = p ? installed(l, p.slot) : null;
  return p && inSlot && inSlot.sha256 === p.sha256 && inSlot.release === p.release ? inSlot : null;
}

/** One poll. Never throws for channel, network or model trouble: that is the result. */
export async function pollOnce(opts: AgentOptions, now = () => new Date()): Promise<AgentStatus> {
  const l = layout(opts.dir);
  recover(l);
  process.env.TMPDIR = l.tmp; // whatever a library writes to the system temp folder stays under --dir
  const prior = readStatus(l);
  const current = installed(l, currentSlot(l));
  const st = reporter(l, opts, {
    schema: 'edgeml-agent-status/1', deviceId: opts.deviceId, channel: opts.channel, target: opts.target,
    model: opts.model ?? current?.model ?? prior.model ?? null, current, previous: stillThere(l, prior.previous), state: 'checking',
    lastCheck: now().toISOString(), lastResult: prior.lastResult ?? 'no-release', lastError: null, rejected: prior.rejected ?? null, acceptance: prior.acceptance ?? null, download: null,
  });
  let result: PollResult;
  let error: string | null = null;
  try {
    result = await poll(opts, l, st, now);
  } catch (e) {
    result = isUnreachable(e) ? 'unreachable' : 'error';
    error = result === 'unreachable' ? `channel unreachable at ${opts.channelUrl} (${oneLine(e)}); the current model keeps serving` : oneLine(e);
  }
  if (result !== 'error' && result !== 'unreachable') error = st.get().lastError;
  st.set({ state: finalState(result), lastResult: result, lastError: error, download: result === 'installed' ? null : st.get().download });
  return st.get();
}

type Reporter = ReturnType<typeof reporter>;

async function poll(opts: AgentOptions, l: Layout, st: Reporter, now: () => Date): Promise<PollResult> {
  const current = st.get().current;
  const up = makeUpdater(opts.channelUrl, opts.root, l, opts.fetchTimeoutMs);
  await up.refresh();
  // The device stays on its model: the one named by --model, else the one it installed first.
  const model = st.get().model ?? undefined;
  const list = await candidates(up, opts, l, model);
  const eligible = list.filter((i) => inRollout(opts.deviceId, i.rollout, now()));
  const best = eligible[0];
  if (best) opts.observe?.({ phase: 'desired', release: best });
  const newer = (i: ReleaseInfo) => !current || current.channel !== opts.channel || i.release > current.release;
  if (!best) return list.length ? 'not-in-rollout' : 'no-release';
  if (!newer(best)) return list.some((i) => newer(i)) ? 'not-in-rollout' : 'up-to-date';
  const path = `${opts.channel}/models/${best.model}/${best.version}/${best.target}/${best.file}`;
  const info = await up.getTargetInfo(path); // verified again through tuf-js's trusted set
  const verified = info ? releaseInfoOf(info) : null;
  if (!info || !verified || verified.release !== best.release) throw new Error(`the channel no longer lists ${path}`);
  const sha256 = info.hashes.sha256;
  const rejected = st.get().rejected;
  if (rejected && rejected.release === verified.release && rejected.sha256 === sha256) {
    st.set({ lastError: `release ${verified.release} (${verified.version}) failed its health check before: ${rejected.reason}` });
    return 'health-check-failed';
  }
  // Download into downloads/ (resumable), evidence next to it, then staging.
  st.set({ state: 'downloading', download: { release: verified.release, version: verified.version, sha256, bytes: 0, total: info.length } });
  opts.observe?.({ phase: 'downloading', release: verified, sha256 });
  const part = partialFile(l.downloads, sha256);
  try {
    const onProgress = (p: { bytes: number; total: number }) => st.progress(p.bytes, p.total);
    const fromChannel = () => downloadResumable(channelFileUrl(opts.channelUrl, storedPath(path, sha256)), part, { length: info.length, sha256 }, opts.fetchTimeoutMs, onProgress);
    const mirror = mirrorBlobUrl(opts.ociMirror, verified, sha256);
    if (!mirror) await fromChannel();
    else {
      // The mirror's bytes are checked against the same signed length and sha256; any failure of
      // the mirror (down, not synced yet, wrong bytes) falls back to the channel.
      try {
        await downloadResumable(mirror, part, { length: info.length, sha256 }, opts.fetchTimeoutMs, onProgress);
        st.set({ download: { ...st.get().download!, source: 'oci-mirror' } });
      } catch (e) {
        process.stderr.write(`edgeml agent: the OCI mirror failed (${oneLine(e).slice(0, 200)}); downloading from the channel\n`);
        await fromChannel();
        st.set({ download: { ...st.get().download!, source: 'channel' } });
      }
    }
  } finally {
    st.set({ download: { ...st.get().download!, bytes: existsSync(part) ? statSync(part).size : 0 } }); // what the next poll resumes from
  }
  st.set({ state: 'verifying' });
  opts.observe?.({ phase: 'verifying', release: verified });
  const dir = stage(l);
  let evidence: string | null = null;
  if (verified.evidence) {
    evidence = join(dir, EVIDENCE_FILE);
    const want = { length: verified.evidence.length, sha256: verified.evidence.sha256 };
    await downloadResumable(channelFileUrl(opts.channelUrl, verified.evidence.path), evidence, want, opts.fetchTimeoutMs, () => {});
  }
  // The drift reference signed into the release goes into the slot with the model (src/agent/serve.ts reads it).
  if (verified.profile) {
    const want = { length: verified.profile.length, sha256: verified.profile.sha256 };
    await downloadResumable(channelFileUrl(opts.channelUrl, verified.profile.path), join(dir, PROFILE_FILE), want, opts.fetchTimeoutMs, () => {});
  }
  renameSync(part, join(dir, verified.file));
  const keptName = current ? current.version : 'no model';
  const refuse = (reason: string, what = 'failed its health check') => {
    st.set({
      lastError: `${verified.version} (release ${verified.release}) ${what}, kept ${keptName}: ${reason}`,
      rejected: { release: verified.release, sha256, version: verified.version, reason },
    });
  };
  st.set({ state: 'health-check' });
  opts.observe?.({ phase: 'health-check', release: verified });
  const check = (file: string, ev: string | null, slowMs = 0) => runHealthCheck(opts.cli, { file, evidence: ev, maxLatencyMs: opts.maxLatencyMs, tmp: l.tmp, slowMs });
  // A budget the device could not judge is said, on stderr and in status.json, never passed quietly.
  const unjudged = (r: HealthResult) => {
    for (const v of r.latency ?? []) if (v.verdict === 'not judged') process.stderr.write(`edgeml agent: warning: ${verified.version} (release ${verified.release}): ${v.note}\n`);
  };
  const before = await check(join(dir, verified.file), evidence);
  st.set({ acceptance: acceptanceOf('before-switch', verified, before) });
  unjudged(before);
  if (!before.ok) {
    refuse(before.error ?? 'unknown');
    return 'health-check-failed';
  }
  st.set({ state: 'installing' });
  opts.observe?.({ phase: 'installing', release: verified, latencyMs: before.latencyMs });
  // The slot about to be replaced holds `previous`: status stops naming it before it is deleted.
  const target = otherSlot(currentSlot(l));
  if (st.get().previous?.slot === target) st.set({ previous: null });
  const switched = activate(l, verified, opts.channel, sha256, now());
  st.set({ current: switched.current, previous: switched.previous ?? st.get().previous, model: st.get().model ?? verified.model, state: 'health-check' });
  // The same check once more on the installed copy: a miss points `current` back.
  const slotDir = join(l.slots, switched.current.slot);
  const after = await check(join(slotDir, verified.file), evidence ? join(slotDir, EVIDENCE_FILE) : null, testSlowdown(sha256));
  st.set({ acceptance: acceptanceOf('after-switch', verified, after) });
  if (after.ok) {
    unjudged(after);
    return 'installed';
  }
  if (switched.previous) {
    pointAt(l, switched.previous.slot);
    st.set({ current: switched.previous, previous: null });
    refuse(after.error ?? 'unknown', 'failed its check after the switch and was rolled back');
    return 'rolled-back';
  }
  // A first install has nothing to go back to: the device goes back to no model, as it was.
  unpoint(l);
  st.set({ current: null, previous: null });
  refuse(after.error ?? 'unknown', 'failed its check after the switch and was removed');
  return 'rolled-back';
}

/**
 * The blob URL of a release's model in the OCI mirror: the ModelPack weight layer is the raw
 * file, so its digest is the sha256 the channel signs (null when there is no mirror or the
 * release was not pushed to a registry).
 */
export function mirrorBlobUrl(mirror: string | null | undefined, info: ReleaseInfo, sha256: string): string | null {
  if (!mirror || !info.oci) return null;
  const at = info.oci.repository.indexOf('/');
  if (at <= 0) return null;
  return `${mirror.replace(/\/+$/, '')}/v2/${info.oci.repository.slice(at + 1)}/blobs/sha256:${sha256}`;
}

export function defaultDeviceId(): string {
  if (process.env.EDGEML_DEVICE_ID) return process.env.EDGEML_DEVICE_ID;
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      // try the next one
    }
  }
  throw new UserError('no device id: give --device-id ID (or set EDGEML_DEVICE_ID); /etc/machine-id is missing');
}

export { cohortBucket };
