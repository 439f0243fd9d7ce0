// The fleet's reports read back without a broker: the latency histogram, hostile messages, the
// aggregation, the gate's verdicts, the Markdown and terminal escaping, and the agent's outbox.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ReportQueue } from '../src/agent/queue.js';
import { Reporter, finalState } from '../src/agent/report.js';
import type { ReleaseInfo } from '../src/fleet/index.js';
import type { AgentStatus } from '../src/agent/index.js';
import {
  STATUS_SCHEMA, TELEMETRY_SCHEMA, aggregate, emptyHistogram, evaluateGate, fleetMarkdown, fleetText, merge, parseStatus, quantile, record, type Message,
} from '../src/fleet-status/index.js';
import { tempDir } from './helpers.js';

const NOW = new Date('2026-12-01T12:00:00Z');

function status(device: string, over: Record<string, unknown> = {}): Message {
  return {
    topic: `edgeml/demo/${device}/status`,
    payload: JSON.stringify({
      schema: STATUS_SCHEMA, deviceId: device, fleet: 'demo', model: 'digits', channel: 'beta', target: 'cpu-fp32', cohort: 42,
      desired: { version: '2.0.0', release: 2, sha256: 'a'.repeat(64) }, installed: { version: '2.0.0', release: 2, sha256: 'a'.repeat(64) },
      state: 'success', error: null, retries: 0, agentVersion: '0.1.0', runtimeVersion: '1.30.0', time: '2026-12-01T11:59:00Z', since: null, reportsDropped: 0,
      ...over,
    }),
  };
}

describe('latency histogram', () => {
  test('quantiles within one bucket (about 9%) of the exact order statistic, and merging adds counts', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    const all: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      const ms = i / 10; // 0.1 .. 100 ms
      (i % 2 ? a : b) && record(i % 2 ? a : b, ms);
      all.push(ms);
    }
    const m = merge(merge(emptyHistogram(), a), b);
    for (const p of [0.5, 0.9, 0.99]) {
      const exact = all[Math.ceil(p * all.length) - 1];
      const q = quantile(m, p)!;
      expect(q).toBeGreaterThanOrEqual(exact);
      expect(q / exact).toBeLessThan(1.095);
    }
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
    record(a, Number.NaN);
    record(a, -1);
    expect(Object.values(a.counts).reduce((s, c) => s + c, 0)).toBe(500);
  });
});

describe('hostile status messages', () => {
  test.each([
    ['too large', 'x'.repeat(70 * 1024), /too large/],
    ['not JSON', '{"schema":', /not JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    ['another schema', JSON.stringify({ schema: 'other' }), /schema/],
    ['an unknown state', JSON.parse(JSON.stringify(status('d1', { state: '<b>pwned</b>' }).payload)), /state is not one of/],
    ['another device id', JSON.parse(JSON.stringify(status('d2').payload)), /spoofed/],
    ['a bad time', JSON.parse(JSON.stringify(status('d1', { time: 'yesterday' }).payload)), /time/],
  ])('%s is refused with the reason', (_what, payload, reason) => {
    const r = parseStatus('demo', 'd1', payload as string);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  test('wrong types become nulls, long strings are cut, and nothing throws', () => {
    const r = parseStatus('demo', 'd1', status('d1', { model: 5, cohort: 1000, retries: 'many', desired: 'x', installed: { version: 'y'.repeat(10_000), sha256: 'nothex' }, error: { type: [], message: 'z'.repeat(5000) } }).payload as string);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.model).toBeNull();
    expect(r.value.cohort).toBeNull();
    expect(r.value.retries).toBe(0);
    expect(r.value.desired).toBeNull();
    expect(r.value.installed?.version.length).toBe(300);
    expect(r.value.installed?.sha256).toBeNull();
    expect(r.value.error).toEqual({ type: 'unknown', message: 'z'.repeat(300) });
  });
});

describe('aggregate, render, gate', () => {
  const messages = (): Message[] => [
    status('ok-1'), status('ok-2'), status('ok-3', { state: 'already-installed' }),
    status('lag-1', { installed: { version: '1.0.0', release: 1 }, state: 'downloading', time: '2026-12-01T11:59:30Z' }),
    status('bad-1', {
      installed: { version: '1.0.0', release: 1 }, state: 'failure',
      error: { type: 'health-check', message: '<img src=x onerror=alert(1)> @everyone [click](https://evil.example) \u001b[31mred | pipe\nnew row' },
    }),
    status('old-1', { time: '2026-11-30T00:00:00Z' }),
    { topic: 'edgeml/demo/evil/status', payload: '{not json' },
    { topic: 'edgeml/demo/tele-1/telemetry', payload: JSON.stringify({ schema: TELEMETRY_SCHEMA, deviceId: 'ok-1', windowStart: NOW.toISOString(), windowEnd: NOW.toISOString() }) },
    { topic: 'edgeml/demo/ok-1/telemetry', payload: JSON.stringify({ schema: TELEMETRY_SCHEMA, deviceId: 'ok-1', windowStart: NOW.toISOString(), windowEnd: NOW.toISOString(), latency: { scheme: 'log2-8-us', counts: { 80: 10 } }, rssBytes: 1e8, diskFreeBytes: 5e9, cpuTempC: 51 }) },
  ];

  test('counts per release × channel × cohort × state; lagging, failing and silent devices; malformed messages listed', () => {
    const s = aggregate('demo', messages(), { now: NOW, silentAfterMs: 3_600_000 });
    expect(s.totals).toEqual({ devices: 6, lagging: 2, failing: 1, silent: 1, malformed: 2 });
    expect(s.counts[0]).toEqual({ release: '2.0.0', channel: 'beta', cohort: '40-49', state: 'success', devices: 3 });
    expect(s.devices.find((d) => d.deviceId === 'bad-1')).toMatchObject({ desired: '2.0.0', installed: '1.0.0', failing: true, lagging: true });
    expect(s.malformed.map((m) => m.reason).sort()).toEqual(['deviceId differs from the topic (spoofed or misconfigured)', 'not JSON']);
    expect(s.latency).toEqual([{ version: '2.0.0', devices: 1, count: 10, p50Ms: 1024 / 1000, p90Ms: 1024 / 1000, p99Ms: 1024 / 1000 }]);
    expect(s.devices.find((d) => d.deviceId === 'ok-1')?.telemetry).toMatchObject({ rssBytes: 1e8, cpuTempC: 51 });
  });

  test("a device's strings are escaped in Markdown and on the terminal", () => {
    const s = aggregate('demo', messages(), { now: NOW, silentAfterMs: 3_600_000 });
    const md = fleetMarkdown(s);
    expect(md).not.toMatch(/<img|@everyone|\]\(https|\u001b/);
    expect(md).toContain('&#60;img');
    // every table row still has the header's column count: no '|' or line break got through
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(line.split(/(?<!\\)\|/).length).toBeLessThanOrEqual(8);
    const text = fleetText(s);
    expect(text).not.toMatch(/\u001b/);
    expect(text).toContain('failing devices:');
  });

  const T = { minDevices: 3, successThreshold: 60, errorThreshold: 20 };
  test.each([
    [{ ...T, minDevices: 7 }, 'too-few-devices'],
    [T, 'pass'],
    [{ ...T, successThreshold: 90 }, 'below-success-threshold'],
    [{ ...T, errorThreshold: 10 }, 'error-threshold-crossed'],
  ] as const)('gate %j: %s', (t, verdict) => {
    const s = aggregate('demo', messages(), { now: NOW, silentAfterMs: 3_600_000 });
    const g = evaluateGate(s, '2.0.0', t);
    expect(g.verdict).toBe(verdict);
    // the silent device is not counted; 3 of 5 succeeded, 1 failed
    expect(g).toMatchObject({ reporting: 5, succeeded: 3, failed: 1, pending: 1, silent: 1, successPercent: 60, errorPercent: 20, channel: 'beta' });
  });

  test('the gate refuses to guess between channels', () => {
    const s = aggregate('demo', [status('a'), status('b', { channel: 'stable' })], { now: NOW, silentAfterMs: 3_600_000 });
    expect(() => evaluateGate(s, '2.0.0', T)).toThrow(/several channels \(beta, stable\): give --from/);
    expect(evaluateGate(s, '2.0.0', T, 'stable').reporting).toBe(1);
  });
});

describe('agent side', () => {
  const base = { schema: 'edgeml-agent-status/1', deviceId: 'd', channel: 'beta', target: 't', previous: null, lastCheck: '', lastError: null, rejected: null } as const;
  const cur = (version: string) => ({ model: 'm', version, release: 3, channel: 'beta', target: 't', file: 'f', sha256: 'a', installedAt: '', slot: 'a' as const });
  test.each([
    ['installed', cur('2.0.0'), '1.0.0', 'success'],
    ['installed', cur('1.0.0'), '2.0.0', 'rolled-back'],
    ['up-to-date', cur('2.0.0'), '2.0.0', 'already-installed'],
    ['no-release', null, null, 'idle'],
    ['health-check-failed', cur('1.0.0'), '1.0.0', 'failure'],
    ['error', null, null, 'failure'],
    ['unreachable', cur('1.0.0'), '1.0.0', 'unreachable'],
  ] as const)('a poll that ends %s (installed %j, before %s) leaves the state %s', (result, current, before, state) => {
    const s = { ...base, lastResult: result, current } as unknown as AgentStatus;
    expect(finalState(s, null, before)).toBe(state);
  });

  test('the outbox keeps at most its limit, drops the oldest first and counts them, across restarts', () => {
    const dir = tempDir('edgeml-outbox-');
    const q = new ReportQueue(dir, 3);
    for (let i = 1; i <= 5; i++) q.push({ topic: 't', payload: String(i), retain: true });
    expect(q.length).toBe(3);
    expect(q.dropped).toBe(2);
    const again = new ReportQueue(dir, 3);
    const first = again.peek()!;
    expect(first.report.payload).toBe('3');
    again.remove(first.id);
    again.push({ topic: 't', payload: '6', retain: true });
    expect(readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, 'reports', f), 'utf8')).payload)).toEqual(['4', '5', '6']);
    expect(again.dropped).toBe(2);
  });

  test('a status names the sha256 of the release it wants, never that of an earlier one; the outbox keeps it when the broker is away', async () => {
    const dir = tempDir('edgeml-reporter-');
    const lines: string[] = [];
    const r = new Reporter({ broker: 'mqtt://127.0.0.1:1', fleet: 'demo', deviceId: 'd', dir, channel: 'beta', target: 't', runtimeVersion: null, queueLimit: 100, connectTimeoutMs: 2000, log: (l) => lines.push(l) });
    const rel = (release: number, version: string) => ({ release, version, rollout: { salt: 's', percent: 100, notBefore: null } }) as unknown as ReleaseInfo;
    r.observe({ phase: 'downloading', release: rel(1, '1.0.0'), sha256: 'a'.repeat(64) });
    r.observe({ phase: 'desired', release: rel(2, '2.0.0') });
    r.observe({ phase: 'health-check', release: rel(2, '2.0.0') });
    await r.flush(true);
    await r.close();
    const files = readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.json')).sort();
    const sent = files.map((f) => JSON.parse(JSON.parse(readFileSync(join(dir, 'reports', f), 'utf8')).payload));
    expect(sent.map((m) => [m.state, m.desired])).toEqual([
      ['downloading', { version: '1.0.0', release: 1, sha256: 'a'.repeat(64) }],
      ['health-check', { version: '2.0.0', release: 2, sha256: null }],
    ]);
    expect(lines.join('\n')).toMatch(/^reports: broker mqtt:\/\/127\.0\.0\.1:1 is unreachable \(ECONNREFUSED\); reports kept under \S+reports for later$/m);
  });
});
