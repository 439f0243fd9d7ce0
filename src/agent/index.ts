// `edgeml agent`: one poll = refresh the channel with tuf-js from the device's trusted root, pick
// the newest release for this target, hardware and rollout cohort, download and verify it,
// health-check it, switch slots. Any failure leaves the current model in place and is reported
// in status.json.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { Updater, type Fetcher } from 'tuf-js';
import { DefaultFetcher } from 'tuf-js/dist/fetcher.js';
import { UserError, oneLine } from '../errors.js';
import { assetName, cohortBucket, inRollout, releaseInfoOf, type Channel, type ReleaseInfo } from '../fleet/index.js';
import { TargetFile } from '@tufjs/models';
import { runHealthCheck } from './health.js';
import type { AgentEvent } from './report.js';
import { activate, currentSlot, installed, layout, recover, stage, writeJsonAtomic, type Installed, type Layout } from './slots.js';

export { checkModel } from './health.js';

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
  fetchTimeoutMs: number;
  /** Told the release a poll wants and each step on it (the fleet reporter, src/agent/report.ts). */
  observe?: (e: AgentEvent) => void;
}

export type PollResult = 'installed' | 'up-to-date' | 'not-in-rollout' | 'no-release' | 'health-check-failed' | 'unreachable' | 'error';

export interface AgentStatus {
  schema: 'edgeml-agent-status/1';
  deviceId: string;
  channel: string;
  target: string;
  current: Installed | null;
  previous: Installed | null;
  lastCheck: string;
  lastResult: PollResult;
  lastError: string | null;
  /** A release that failed its health check: not downloaded again. */
  rejected: { release: number; sha256: string; version: string; reason: string } | null;
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

/** A GitHub release download URL (…/OWNER/REPO/releases/download/TAG): the channel is flat release assets. */
export function isReleaseChannel(url: string): boolean {
  return /\/[^/]+\/[^/]+\/releases\/download\/[^/]+\/*$/.test(new URL(url).pathname);
}

/**
 * tuf-js's fetcher with each URL under `base` mapped to the release asset that holds the path
 * (assetName, as the release store names them). Everything else of the default fetcher stays:
 * its size limits, timeouts and the HTTP errors tuf-js tells apart (a 404 ends the root walk).
 */
export function releaseAssetFetcher(base: string, options: { timeout?: number; retry?: number }): Fetcher {
  const root = `${base.replace(/\/+$/, '')}/`;
  class ReleaseAssetFetcher extends DefaultFetcher {
    override fetch(url: string) {
      const path = url.startsWith(root) ? decodeURIComponent(url.slice(root.length)) : null;
      return super.fetch(path === null ? url : `${root}${encodeURIComponent(assetName(path))}`);
    }
  }
  return new ReleaseAssetFetcher(options);
}

function updater(opts: AgentOptions, l: Layout): Updater {
  const base = opts.channelUrl.replace(/\/+$/, '');
  const fetcher = isReleaseChannel(base) ? releaseAssetFetcher(base, { timeout: opts.fetchTimeoutMs, retry: 0 }) : undefined;
  const make = () => new Updater({
    metadataDir: l.metadata, metadataBaseUrl: base, targetDir: l.staging, targetBaseUrl: `${base}/targets`,
    config: { fetchTimeout: opts.fetchTimeoutMs, fetchRetry: 0 }, fetcher,
  });
  if (!existsSync(join(l.metadata, 'root.json'))) copyFileSync(opts.root, join(l.metadata, 'root.json'));
  try {
    return make();
  } catch {
    // The cached root was cut short by a kill: start again from the root shipped with the device.
    copyFileSync(opts.root, join(l.metadata, 'root.json'));
    return make();
  }
}

/** Candidates from the channel role tuf-js has just verified and persisted, newest first. */
async function candidates(up: Updater, opts: AgentOptions, l: Layout): Promise<ReleaseInfo[]> {
  // Looking up a path under the channel makes tuf-js load and verify the channel's role.
  await up.getTargetInfo(`${opts.channel}/models/_/_/_/_`);
  const doc = JSON.parse(readFileSync(join(l.metadata, `${opts.channel}.json`), 'utf8')) as { signed: { targets: Record<string, unknown> } };
  const version = runtimeVersion();
  return Object.entries(doc.signed.targets)
    .map(([path, t]) => releaseInfoOf(TargetFile.fromJSON(path, t as never)))
    .filter((i): i is ReleaseInfo => !!i)
    .filter((i) => i.target === opts.target && (!opts.model || i.model === opts.model))
    .filter((i) => hardwareFits(i, opts.accelerator) && i.runtime.name === 'onnxruntime' && runtimeFits(i.runtime.versionRange, version))
    .sort((a, b) => b.release - a.release);
}

/** One poll. Never throws for channel, network or model trouble: that is the result. */
export async function pollOnce(opts: AgentOptions, now = () => new Date()): Promise<AgentStatus> {
  const l = layout(opts.dir);
  recover(l);
  const prior = readStatus(l);
  let current = installed(l, currentSlot(l));
  let previous = (prior.previous as Installed | null) ?? null;
  let rejected = prior.rejected ?? null;
  let result: PollResult;
  let error: string | null = null;
  try {
    const up = updater(opts, l);
    await up.refresh();
    const list = await candidates(up, opts, l);
    const eligible = list.filter((i) => inRollout(opts.deviceId, i.rollout, now()));
    const best = eligible[0];
    if (best) opts.observe?.({ phase: 'desired', release: best });
    const newer = (i: ReleaseInfo) => !current || current.channel !== opts.channel || i.release > current.release;
    if (!best) {
      result = list.length ? 'not-in-rollout' : 'no-release';
    } else if (!newer(best)) {
      result = list.some((i) => newer(i)) ? 'not-in-rollout' : 'up-to-date';
    } else {
      const path = `${opts.channel}/models/${best.model}/${best.version}/${best.target}/${best.file}`;
      const info = await up.getTargetInfo(path); // verified again through tuf-js's trusted set
      const verified = info ? releaseInfoOf(info) : null;
      if (!info || !verified || verified.release !== best.release) throw new Error(`the channel no longer lists ${path}`);
      const sha256 = info.hashes.sha256;
      if (rejected && rejected.release === verified.release && rejected.sha256 === sha256) {
        result = 'health-check-failed';
        error = `release ${verified.release} (${verified.version}) failed its health check before: ${rejected.reason}`;
      } else {
        const file = join(stage(l), verified.file);
        opts.observe?.({ phase: 'downloading', release: verified, sha256 });
        await up.downloadTarget(info, file);
        opts.observe?.({ phase: 'health-check', release: verified });
        const health = await runHealthCheck(opts.cli, file, opts.maxLatencyMs);
        if (!health.ok) {
          result = 'health-check-failed';
          error = `${verified.version} (release ${verified.release}) failed its health check, kept ${current ? current.version : 'no model'}: ${health.error}`;
          rejected = { release: verified.release, sha256, version: verified.version, reason: health.error ?? 'unknown' };
        } else {
          opts.observe?.({ phase: 'installing', release: verified, latencyMs: health.latencyMs });
          const switched = activate(l, verified, opts.channel, sha256, now());
          current = switched.current;
          previous = switched.previous ?? previous;
          result = 'installed';
        }
      }
    }
  } catch (e) {
    result = isUnreachable(e) ? 'unreachable' : 'error';
    error = result === 'unreachable' ? `channel unreachable at ${opts.channelUrl} (${oneLine(e)}); the current model keeps serving` : oneLine(e);
  }
  const status: AgentStatus = {
    schema: 'edgeml-agent-status/1', deviceId: opts.deviceId, channel: opts.channel, target: opts.target,
    current, previous, lastCheck: now().toISOString(), lastResult: result, lastError: error, rejected,
  };
  writeJsonAtomic(l.status, status);
  return status;
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
