// What a device publishes over MQTT, and how a reader takes it back: every message is untrusted
// (a device may be broken or hostile), so a reader checks each field, caps every string and never
// throws; a message it cannot use is reported as malformed with the reason.
import { STATES, STATUS_SCHEMA, TELEMETRY_SCHEMA, type DeviceState, type DeviceStatus, type DeviceTelemetry, type Histogram, type ReleaseRef } from './types.js';

export const FINAL_STATES: ReadonlySet<DeviceState> = new Set(['idle', 'success', 'failure', 'rolled-back', 'already-installed', 'unreachable']);

/** Topics: edgeml/<fleet>/<device>/status (retained) and …/telemetry (retained: the last window). */
export const topics = {
  status: (fleet: string, device: string) => `edgeml/${fleet}/${device}/status`,
  telemetry: (fleet: string, device: string) => `edgeml/${fleet}/${device}/telemetry`,
  all: (fleet: string) => [`edgeml/${fleet}/+/status`, `edgeml/${fleet}/+/telemetry`],
};

export const FLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Larger messages are refused unread (the example broker refuses them too). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_STRING = 300;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const str = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, MAX_STRING) : null);
const num = (v: unknown, min = -Infinity, max = Infinity): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : null);
const time = (v: unknown): string | null => {
  if (typeof v !== 'string' || v.length > 40) return null;
  const t = Date.parse(v); // once: 20,000 messages of a large fleet each carry one or two
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};
const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function releaseRef(v: unknown): ReleaseRef | null {
  const o = obj(v);
  const version = o && str(o.version);
  if (!o || !version) return null;
  const sha = str(o.sha256);
  return { version, release: num(o.release, 0), sha256: sha && /^[0-9a-f]{64}$/.test(sha) ? sha : null };
}

/** The device a topic names, or null for a topic outside edgeml/<fleet>/<device>/(status|telemetry). */
export function topicDevice(fleet: string, topic: string): { device: string; kind: 'status' | 'telemetry' } | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'edgeml' || parts[1] !== fleet) return null;
  if (parts[3] !== 'status' && parts[3] !== 'telemetry') return null;
  return { device: parts[2], kind: parts[3] };
}

function body(payload: Buffer | string): Parsed<Record<string, unknown>> {
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (bytes > MAX_MESSAGE_BYTES) return { ok: false, reason: `too large (${bytes} bytes, at most ${MAX_MESSAGE_BYTES})` };
  let v: unknown;
  try {
    v = JSON.parse(payload.toString());
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const o = obj(v);
  return o ? { ok: true, value: o } : { ok: false, reason: 'not a JSON object' };
}

/**
 * A status message from the topic of `device`. The topic is the identity (the broker's ACL ties it
 * to the certificate); a message naming another device id is refused as spoofed.
 */
export function parseStatus(fleet: string, device: string, payload: Buffer | string): Parsed<DeviceStatus> {
  const b = body(payload);
  if (!b.ok) return b;
  const o = b.value;
  if (o.schema !== STATUS_SCHEMA) return { ok: false, reason: `schema is not ${STATUS_SCHEMA}` };
  if (o.deviceId !== device) return { ok: false, reason: 'deviceId differs from the topic (spoofed or misconfigured)' };
  if (typeof o.state !== 'string' || !(STATES as readonly string[]).includes(o.state)) return { ok: false, reason: `state is not one of ${STATES.join(', ')}` };
  const t = time(o.time);
  if (!t) return { ok: false, reason: 'time is not an ISO date' };
  const err = obj(o.error);
  return {
    ok: true,
    value: {
      schema: STATUS_SCHEMA, deviceId: device, fleet, model: str(o.model), channel: str(o.channel), target: str(o.target),
      cohort: num(o.cohort, 0, 99), desired: releaseRef(o.desired), installed: releaseRef(o.installed), state: o.state as DeviceState,
      error: err ? { type: str(err.type) ?? 'unknown', message: str(err.message) ?? '' } : null,
      retries: num(o.retries, 0) ?? 0, agentVersion: str(o.agentVersion), runtimeVersion: str(o.runtimeVersion),
      time: t, since: time(o.since), reportsDropped: num(o.reportsDropped, 0) ?? 0,
    },
  };
}

function histogram(v: unknown): Histogram | null {
  const o = obj(v);
  const counts = o && obj(o.counts);
  if (!o || o.scheme !== 'log2-8-us' || !counts) return null;
  const out: Record<string, number> = {};
  let n = 0;
  for (const [k, c] of Object.entries(counts)) {
    if (++n > 400) return null; // 400 buckets span far more than any latency
    if (!/^-?\d{1,4}$/.test(k) || typeof c !== 'number' || !Number.isInteger(c) || c < 0) return null;
    out[k] = c;
  }
  return { scheme: 'log2-8-us', counts: out };
}

export function parseTelemetry(fleet: string, device: string, payload: Buffer | string): Parsed<DeviceTelemetry> {
  const b = body(payload);
  if (!b.ok) return b;
  const o = b.value;
  if (o.schema !== TELEMETRY_SCHEMA) return { ok: false, reason: `schema is not ${TELEMETRY_SCHEMA}` };
  if (o.deviceId !== device) return { ok: false, reason: 'deviceId differs from the topic (spoofed or misconfigured)' };
  const start = time(o.windowStart);
  const end = time(o.windowEnd);
  if (!start || !end) return { ok: false, reason: 'windowStart or windowEnd is not an ISO date' };
  const h = histogram(obj(o.latency));
  return {
    ok: true,
    value: {
      schema: TELEMETRY_SCHEMA, deviceId: device, fleet, version: str(o.version), windowStart: start, windowEnd: end,
      latency: h ? { ...h, ...summary(h) } : null,
      rssBytes: num(o.rssBytes, 0), diskFreeBytes: num(o.diskFreeBytes, 0), cpuTempC: num(o.cpuTempC, -100, 200),
    },
  };
}

// The mergeable latency histogram: log-spaced buckets, merged by adding counts.
const PER_OCTAVE = 8;

export function emptyHistogram(): Histogram {
  return { scheme: 'log2-8-us', counts: {} };
}

export function record(h: Histogram, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  const us = Math.max(ms * 1000, 1);
  const i = Math.ceil(Math.log2(us) * PER_OCTAVE - 1e-9);
  h.counts[i] = (h.counts[i] ?? 0) + 1;
}

export function merge(into: Histogram, other: Histogram): Histogram {
  for (const [k, c] of Object.entries(other.counts)) into.counts[k] = (into.counts[k] ?? 0) + c;
  return into;
}

/** Non-empty buckets in order, as [index, count]. */
function sorted(h: Histogram): Array<readonly [number, number]> {
  return Object.entries(h.counts).map(([k, c]) => [Number(k), c] as const).filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
}

function quantileOf(entries: Array<readonly [number, number]>, total: number, p: number): number | null {
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [i, c] of entries) {
    seen += c;
    if (seen >= rank) return 2 ** (i / PER_OCTAVE) / 1000;
  }
  return null;
}

/** The p-quantile in ms: the upper edge of the bucket that holds it (at most ~9% high). */
export function quantile(h: Histogram, p: number): number | null {
  const entries = sorted(h);
  return quantileOf(entries, entries.reduce((s, [, c]) => s + c, 0), p);
}

export function summary(h: Histogram): { count: number; p50Ms: number | null; p90Ms: number | null; p99Ms: number | null } {
  const entries = sorted(h);
  const count = entries.reduce((s, [, c]) => s + c, 0);
  return { count, p50Ms: quantileOf(entries, count, 0.5), p90Ms: quantileOf(entries, count, 0.9), p99Ms: quantileOf(entries, count, 0.99) };
}
