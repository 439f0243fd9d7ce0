// The fleet status as Markdown (job summary, promote workflow) and as a terminal table. Every
// string a device sent goes through an escaper: Markdown gets no HTML, links or mentions, the
// terminal no escape sequences.
import { markdownTable } from 'markdown-table';
import { escapeMarkdown, escapePlain, fmtBytes, fmtMs, type Escape } from '../report/index.js';
import type { DeviceRow, FleetStatus } from './types.js';

/** Lists of devices stop here; the JSON document has them all. */
export const LIST_LIMIT = 50;

function plainTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd()).join('\n');
}

function ago(iso: string, now: string): string {
  const s = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

const cut = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function deviceRows(list: DeviceRow[], status: FleetStatus, e: Escape): string[][] {
  return list.slice(0, LIST_LIMIT).map((d) => [
    e(d.deviceId), e(d.desired ?? '-'), e(d.installed ?? '-'), d.state, ago(d.lastSeen, status.time),
    d.error ? e(cut(`${d.error.type}: ${d.error.message}`)) : '',
  ]);
}

interface Section { title: string; header: string[]; rows: string[][]; more: number }

function sections(s: FleetStatus, e: Escape, gateLines: string[]): { summary: string; sections: Section[] } {
  const t = s.totals;
  const summary = `fleet ${e(s.fleet)}: ${t.devices} devices reporting, ${t.lagging} lagging, ${t.failing} failing, ${t.silent} silent (no report for ${Math.round(s.silentAfterMs / 60000)} min)` +
    (t.malformed ? `, ${t.malformed} malformed messages` : '');
  const out: Section[] = [];
  out.push({ title: 'by release × channel × cohort × state', header: ['installed', 'channel', 'cohort', 'state', 'devices'], rows: s.counts.slice(0, LIST_LIMIT).map((c) => [e(c.release), e(c.channel), c.cohort, c.state, String(c.devices)]), more: Math.max(0, s.counts.length - LIST_LIMIT) });
  if (s.latency.length) {
    out.push({ title: 'latency on the devices (last window of each, merged)', header: ['installed', 'devices', 'inferences', 'p50', 'p90', 'p99'], rows: s.latency.map((l) => [e(l.version), String(l.devices), String(l.count), fmtMs(l.p50Ms), fmtMs(l.p90Ms), fmtMs(l.p99Ms)]), more: 0 });
  }
  const head = ['device', 'desired', 'installed', 'state', 'last seen', 'last error'];
  for (const [title, list] of [['failing', s.devices.filter((d) => d.failing)], ['lagging', s.devices.filter((d) => d.lagging && !d.failing)], ['silent', s.devices.filter((d) => d.silent)]] as const) {
    if (list.length) out.push({ title: `${title} devices`, header: head, rows: deviceRows(list, s, e), more: Math.max(0, list.length - LIST_LIMIT) });
  }
  if (s.malformed.length) {
    out.push({ title: 'malformed messages (ignored)', header: ['topic', 'reason'], rows: s.malformed.slice(0, LIST_LIMIT).map((m) => [e(cut(m.topic)), e(m.reason)]), more: Math.max(0, s.malformed.length - LIST_LIMIT) });
  }
  return { summary: [summary, ...gateLines].join('\n'), sections: out };
}

/** The Markdown report: a summary line (and the gate's verdict), then one table per section. */
export function fleetMarkdown(s: FleetStatus, gateLines: string[] = []): string {
  const { summary, sections: list } = sections(s, escapeMarkdown, gateLines.map(escapeMarkdown));
  const parts = [`### ${summary.split('\n')[0]}`, ...summary.split('\n').slice(1).map((l) => `**${l}**`)];
  for (const sec of list) {
    parts.push('', `#### ${sec.title}`, '', markdownTable([sec.header, ...sec.rows]));
    if (sec.more) parts.push('', `…and ${sec.more} more (see the JSON document)`);
  }
  return `${parts.join('\n')}\n`;
}

/** The terminal report: the same sections as plain aligned columns. */
export function fleetText(s: FleetStatus, gateLines: string[] = []): string {
  const { summary, sections: list } = sections(s, escapePlain, gateLines.map(escapePlain));
  const parts = [summary];
  for (const sec of list) {
    parts.push('', `${sec.title}:`, plainTable([sec.header, ...sec.rows]));
    if (sec.more) parts.push(`…and ${sec.more} more (--json has them all)`);
  }
  return `${parts.join('\n')}\n`;
}

export { fmtBytes };
