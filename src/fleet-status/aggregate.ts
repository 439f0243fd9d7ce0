// `edgeml fleet status`: the devices' last reports (retained messages) folded into one document:
// desired against installed per device, counts per release × channel × cohort × state, and the
// devices that lag, fail or have gone silent. Pure: messages in, document out.
import { FINAL_STATES, emptyHistogram, merge, parseStatus, parseTelemetry, summary, topicDevice } from './messages.js';
import { FLEET_STATUS_SCHEMA, type CountRow, type DeviceRow, type DeviceState, type DeviceStatus, type DeviceTelemetry, type FleetStatus, type Histogram, type Message } from './types.js';

/** A device that tried and failed (a rolled-back device followed a channel rollback: it did not fail). */
const FAILED: ReadonlySet<DeviceState> = new Set(['failure']);

export function cohortBand(bucket: number | null): string {
  if (bucket === null) return '?';
  const lo = Math.floor(bucket / 10) * 10;
  return `${String(lo).padStart(2, '0')}-${String(lo + 9).padStart(2, '0')}`;
}

export function aggregate(fleet: string, messages: Iterable<Message>, opts: { now?: Date; silentAfterMs: number }): FleetStatus {
  const now = opts.now ?? new Date();
  const statuses = new Map<string, DeviceStatus>();
  const telemetry = new Map<string, DeviceTelemetry>();
  const malformed: FleetStatus['malformed'] = [];
  for (const m of messages) {
    const where = topicDevice(fleet, m.topic);
    if (!where) {
      malformed.push({ topic: m.topic.slice(0, 300), device: null, reason: 'not a status or telemetry topic of this fleet' });
      continue;
    }
    if (where.kind === 'status') {
      const p = parseStatus(fleet, where.device, m.payload);
      if (p.ok) statuses.set(where.device, p.value);
      else malformed.push({ topic: m.topic.slice(0, 300), device: where.device.slice(0, 300), reason: p.reason });
    } else {
      const p = parseTelemetry(fleet, where.device, m.payload);
      if (p.ok) telemetry.set(where.device, p.value);
      else malformed.push({ topic: m.topic.slice(0, 300), device: where.device.slice(0, 300), reason: p.reason });
    }
  }
  const devices: DeviceRow[] = [];
  const counts = new Map<string, CountRow>();
  const latency = new Map<string, { devices: number; h: Histogram }>();
  for (const s of [...statuses.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId))) {
    const t = telemetry.get(s.deviceId) ?? null;
    const final = FINAL_STATES.has(s.state);
    const desired = s.desired?.version ?? null;
    const installed = s.installed?.version ?? null;
    const row: DeviceRow = {
      deviceId: s.deviceId, model: s.model, channel: s.channel, cohort: s.cohort, desired, installed, state: s.state, final,
      error: s.error, lastSeen: s.time,
      lagging: desired !== null && desired !== installed,
      failing: FAILED.has(s.state) || s.error !== null,
      silent: now.getTime() - Date.parse(s.time) > opts.silentAfterMs,
      retries: s.retries, reportsDropped: s.reportsDropped,
      telemetry: t && { p50Ms: t.latency?.p50Ms ?? null, p90Ms: t.latency?.p90Ms ?? null, p99Ms: t.latency?.p99Ms ?? null, rssBytes: t.rssBytes, diskFreeBytes: t.diskFreeBytes, cpuTempC: t.cpuTempC },
    };
    devices.push(row);
    const release = installed ?? 'none';
    const key = JSON.stringify([release, s.channel ?? '?', cohortBand(s.cohort), s.state]);
    const c = counts.get(key) ?? { release, channel: s.channel ?? '?', cohort: cohortBand(s.cohort), state: s.state, devices: 0 };
    c.devices++;
    counts.set(key, c);
    if (t?.latency && installed) {
      const l = latency.get(installed) ?? { devices: 0, h: emptyHistogram() };
      l.devices++;
      merge(l.h, t.latency);
      latency.set(installed, l);
    }
  }
  const sortedCounts = [...counts.values()].sort((a, b) => b.devices - a.devices || a.release.localeCompare(b.release) || a.channel.localeCompare(b.channel) || a.cohort.localeCompare(b.cohort) || a.state.localeCompare(b.state));
  return {
    schema: FLEET_STATUS_SCHEMA, fleet, time: now.toISOString(), silentAfterMs: opts.silentAfterMs, devices, counts: sortedCounts,
    latency: [...latency.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([version, l]) => ({ version, devices: l.devices, ...summary(l.h) })),
    malformed,
    totals: {
      devices: devices.length, lagging: devices.filter((d) => d.lagging).length, failing: devices.filter((d) => d.failing).length,
      silent: devices.filter((d) => d.silent).length, malformed: malformed.length,
    },
  };
}
