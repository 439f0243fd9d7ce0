// The agent's reports to the fleet's broker: after every poll and at every state change the
// device's status (retained, QoS 1), and after every poll a telemetry window. Each report goes
// through the outbox on disk (queue.ts) first, so none is lost while the broker is unreachable.
// Created from the CLI flags; the agent calls observe() inside a poll and polled() after it.
import { readFileSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import type { MqttClient } from 'mqtt';
import { connectBroker, isTransient } from '../devices/index.js';
import { oneLine } from '../errors.js';
import { cohortBucket, type ReleaseInfo } from '../fleet/index.js';
import {
  MAX_MESSAGE_BYTES, STATUS_SCHEMA, TELEMETRY_SCHEMA, emptyHistogram, record, summary, topics,
  type DeviceState, type DeviceStatus, type DeviceTelemetry, type Histogram, type ReleaseRef,
} from '../fleet-status/index.js';
import { VERSION } from '../version.js';
import { ReportQueue } from './queue.js';
import type { AgentStatus } from './types.js';

/** What pollOnce tells the reporter while it works: the release it wants, then each step on it. */
export type AgentEvent =
  | { phase: 'desired'; release: ReleaseInfo; sha256?: string }
  | { phase: 'downloading'; release: ReleaseInfo; sha256: string }
  | { phase: 'verifying' | 'health-check'; release: ReleaseInfo }
  | { phase: 'installing'; release: ReleaseInfo; latencyMs?: number };

export interface ReporterOptions {
  broker: string;
  cert?: string;
  key?: string;
  ca?: string;
  fleet: string;
  deviceId: string;
  dir: string;
  model?: string;
  channel: string;
  target: string;
  runtimeVersion: string | null;
  /** Reports kept on disk while the broker is unreachable; the oldest go first past it. */
  queueLimit: number;
  connectTimeoutMs: number;
  log: (line: string) => void;
}

export interface Figures {
  state: DeviceState;
  polls: Record<string, number>;
  queued: number;
  dropped: number;
  sent: number;
  lastPublishOk: boolean;
  telemetry: DeviceTelemetry | null;
  status: DeviceStatus | null;
}

/** The state a finished poll leaves the device in. */
export function finalState(s: AgentStatus, desired: ReleaseRef | null, before: string | null): DeviceState {
  switch (s.lastResult) {
    case 'installed':
      return before && s.current && semver.valid(before) && semver.valid(s.current.version) && semver.lt(s.current.version, before) ? 'rolled-back' : 'success';
    case 'up-to-date':
    case 'not-in-rollout':
    case 'no-release':
      return s.current && (!desired || desired.version === s.current.version) ? 'already-installed' : 'idle';
    case 'unreachable':
      return 'unreachable';
    default:
      return 'failure';
  }
}

function cpuTemperature(): number | null {
  try {
    let max: number | null = null;
    for (const z of readdirSync('/sys/class/thermal').filter((d) => d.startsWith('thermal_zone'))) {
      const t = Number(readFileSync(join('/sys/class/thermal', z, 'temp'), 'utf8')) / 1000;
      if (Number.isFinite(t) && (max === null || t > max)) max = t;
    }
    return max;
  } catch {
    return null; // the OS exposes no thermal zones (containers, macOS)
  }
}

function diskFree(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

const RETRY_AFTER_MS = 30_000;
/** Served windows a telemetry message carries at most: enough for any sensible windows-in-a-row. */
const SERVED_WINDOWS = 10;

export class Reporter {
  private readonly queue: ReportQueue;
  private client: MqttClient | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private desired: { ref: ReleaseRef; salt: string } | null = null;
  private state: DeviceState = 'idle';
  private since = new Date().toISOString();
  private retries = 0;
  private installedVersion: string | null = null;
  private lastError: string | null = null;
  /** When the broker last could not be reached: background sends wait a while after that. */
  private failedAt = 0;
  private lastLog = '';
  private windowStart = new Date();
  private latency: Histogram = emptyHistogram();
  /** The served model's last windows (agent --serve), carried in every telemetry message. */
  private served: unknown[] = [];
  readonly figures: Figures;

  constructor(readonly opts: ReporterOptions) {
    this.queue = new ReportQueue(opts.dir, opts.queueLimit);
    this.figures = { state: 'idle', polls: {}, queued: this.queue.length, dropped: this.queue.dropped, sent: 0, lastPublishOk: false, telemetry: null, status: null };
  }

  /** A latency measured on the device (the health check, or whoever runs the model), for the telemetry window. */
  recordLatency(ms: number): void {
    record(this.latency, ms);
  }

  /**
   * A telemetry window of the served model just ended: kept with the last ones (as many as fit in
   * half a message) and sent at once, so a reader of the retained message has the streak.
   */
  servedWindow(w: unknown): void {
    this.served = [...this.served, w].slice(-SERVED_WINDOWS);
    while (this.served.length > 1 && JSON.stringify(this.served).length > MAX_MESSAGE_BYTES / 2) this.served = this.served.slice(1);
    this.enqueue(this.telemetryMessage());
  }

  /** Inside a poll: the release it wants, and each step on it. Never throws; the report is sent in the background. */
  observe(e: AgentEvent): void {
    const same = this.desired?.ref.version === e.release.version && this.desired.ref.release === e.release.release;
    const ref = { version: e.release.version, release: e.release.release, sha256: ('sha256' in e && e.sha256) || (same ? this.desired!.ref.sha256 : null) };
    this.desired = { ref, salt: e.release.rollout.salt };
    if (e.phase === 'installing' && e.latencyMs !== undefined) this.recordLatency(e.latencyMs);
    if (e.phase === 'desired') return;
    this.setState(e.phase);
    this.enqueue(this.statusMessage(null, null));
  }

  /** After a poll: the final status and the telemetry window since the last one, then send what is queued. */
  async polled(s: AgentStatus): Promise<void> {
    this.figures.polls[s.lastResult] = (this.figures.polls[s.lastResult] ?? 0) + 1;
    if (this.desired && s.current && this.desired.ref.version === s.current.version && !this.desired.ref.sha256) this.desired.ref.sha256 = s.current.sha256;
    const state = finalState(s, this.desired?.ref ?? null, this.installedVersion);
    this.installedVersion = s.current?.version ?? null;
    const failed = state === 'failure' || state === 'unreachable';
    this.retries = failed && s.lastError === this.lastError ? this.retries + 1 : failed ? 1 : 0;
    this.lastError = s.lastError;
    this.setState(state);
    const type = s.lastResult === 'health-check-failed' ? 'health-check' : s.lastResult === 'unreachable' ? 'channel-unreachable' : s.lastResult === 'error' ? 'channel' : null;
    this.enqueue(this.statusMessage(s, type && s.lastError ? { type, message: s.lastError } : null));
    this.enqueue(this.telemetryMessage());
    await this.flush(true);
  }

  private setState(state: DeviceState): void {
    if (state !== this.state) this.since = new Date().toISOString();
    this.state = state;
    this.figures.state = state;
  }

  private statusMessage(s: AgentStatus | null, error: DeviceStatus['error']): DeviceStatus {
    const o = this.opts;
    const cur = s?.current;
    const msg: DeviceStatus = {
      schema: STATUS_SCHEMA, deviceId: o.deviceId, fleet: o.fleet, model: cur?.model ?? o.model ?? null, channel: o.channel, target: o.target,
      cohort: this.desired ? cohortBucket(o.deviceId, this.desired.salt) : null,
      desired: this.desired?.ref ?? null,
      installed: cur ? { version: cur.version, release: cur.release, sha256: cur.sha256 } : this.installedVersion ? { version: this.installedVersion, release: null, sha256: null } : null,
      state: this.state, error, retries: this.retries, agentVersion: VERSION, runtimeVersion: o.runtimeVersion,
      time: new Date().toISOString(), since: this.since, reportsDropped: this.queue.dropped,
    };
    this.figures.status = msg;
    return msg;
  }

  private telemetryMessage(): DeviceTelemetry {
    const end = new Date();
    const h = this.latency;
    const t: DeviceTelemetry = {
      schema: TELEMETRY_SCHEMA, deviceId: this.opts.deviceId, fleet: this.opts.fleet, version: this.installedVersion,
      windowStart: this.windowStart.toISOString(), windowEnd: end.toISOString(),
      latency: Object.keys(h.counts).length ? { ...h, ...summary(h) } : null,
      rssBytes: process.memoryUsage.rss(), diskFreeBytes: diskFree(this.opts.dir), cpuTempC: cpuTemperature(),
      ...(this.served.length ? { serve: { windows: this.served } } : {}),
    };
    this.windowStart = end;
    this.latency = emptyHistogram();
    this.figures.telemetry = t;
    return t;
  }

  private enqueue(m: DeviceStatus | DeviceTelemetry): void {
    const topic = m.schema === STATUS_SCHEMA ? topics.status(this.opts.fleet, this.opts.deviceId) : topics.telemetry(this.opts.fleet, this.opts.deviceId);
    const dropped = this.queue.push({ topic, payload: JSON.stringify(m), retain: true });
    if (dropped) this.opts.log(`reports: the outbox under ${this.queue.dir} is full (${this.queue.limit}); dropped the ${dropped} oldest (${this.queue.dropped} so far)`);
    this.figures.queued = this.queue.length;
    this.figures.dropped = this.queue.dropped;
    if (Date.now() - this.failedAt > RETRY_AFTER_MS) void this.flush();
  }

  /**
   * Sends what is queued, oldest first, one at a time; stops at the first failure (the rest stay
   * on disk). Without `now`, nothing is tried for a while after the broker could not be reached.
   */
  flush(now = false): Promise<void> {
    this.flushing = this.flushing.then(() => (now || Date.now() - this.failedAt > RETRY_AFTER_MS ? this.drain() : undefined));
    return this.flushing;
  }

  private log(line: string): void {
    if (line !== this.lastLog) this.opts.log(line);
    this.lastLog = line;
  }

  private async drain(): Promise<void> {
    let next = this.queue.peek();
    if (!next) return;
    try {
      if (!this.client || !this.client.connected) {
        this.client?.end(true);
        this.client = null;
        this.client = await connectBroker({
          url: this.opts.broker, cert: this.opts.cert, key: this.opts.key, ca: this.opts.ca,
          clientId: `edgeml-${this.opts.deviceId}`, clean: false, connectTimeoutMs: this.opts.connectTimeoutMs,
        });
      }
      for (; next; next = this.queue.peek()) {
        const r = next.report;
        const ack = await this.client.publishAsync(r.topic, r.payload, { qos: 1, retain: r.retain });
        const reason = (ack as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
        // 0x87 not authorized, 0x90 topic name invalid, 0x95 packet too large: sending again cannot help.
        if (reason >= 0x80) {
          this.log(`reports: broker ${this.opts.broker} refused ${r.topic} (reason code ${reason}${reason === 0x87 ? ': not authorized; the ACL must let this certificate\'s CN publish under its own topics' : ''}); dropped it`);
          this.queue.remove(next.id);
          continue;
        }
        this.queue.remove(next.id);
        this.figures.sent++;
      }
      this.figures.lastPublishOk = true;
      this.failedAt = 0;
      this.lastLog = '';
    } catch (e) {
      this.figures.lastPublishOk = false;
      this.failedAt = Date.now();
      this.client?.end(true);
      this.client = null;
      this.log(`reports: ${oneLine(e)}; reports kept under ${this.queue.dir} for later${isTransient(e) ? '' : ' (this needs a fix, not a retry)'}`);
    } finally {
      this.figures.queued = this.queue.length;
      this.figures.dropped = this.queue.dropped;
    }
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.client?.endAsync();
    this.client = null;
  }
}
