// The report as Markdown for a PR comment and a job summary: a headline, a table per model, charts,
// budgets, and collapsible details. Every string from a document goes through `e`; numbers are
// formatted from numbers.
import { markdownTable } from 'markdown-table';
import type { BenchResults } from '../results/index.js';
import { compareChart, modelChart } from './charts.js';
import { sparkline } from '../history/index.js';
import { limitOf } from '../units.js';
import { fmtBudgetValue } from './check.js';
import type { Verdict } from '../compare/index.js';
import type { BudgetRow, CompareDoc, Escape, ModelGroup, Report, ReportStatus, Row, Section } from './types.js';
import { escapeMarkdown } from './escape.js';
import { missingDevicesNote } from './missing.js';
import { compatSection } from './compat.js';
import { fmtBytes, fmtChange, fmtInterval, fmtMs, fmtNumber, fmtRate, fmtShare } from './format.js';
import { ICON, budgetStatusCell } from './icons.js';

export const STATUS_ICON: Record<ReportStatus, string> = { pass: ICON.pass, fail: ICON.fail, inconclusive: ICON.inconclusive, none: ICON.measured };
export const VERDICT_ICON: Record<Verdict, string> = { slower: ICON.fail, faster: ICON.faster, unchanged: ICON.pass, inconclusive: ICON.inconclusive };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function countList<K extends string>(counts: Record<K, number>): string {
  return (Object.entries(counts) as Array<[K, number]>)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

export function headline(r: Report): string {
  const word = r.status === 'none' ? 'measured' : r.status;
  const parts: string[] = [];
  const budgets = Object.values(r.counts.budgets).reduce((a, b) => a + b, 0);
  if (budgets) parts.push(`budgets: ${countList(r.counts.budgets)}`);
  const verdicts = Object.values(r.counts.verdicts).reduce((a, b) => a + b, 0);
  if (verdicts) parts.push(`comparisons: ${countList(r.counts.verdicts)}`);
  parts.push(`${plural(r.counts.results, 'result')}, ${plural(r.counts.models, 'model')}, ${plural(r.counts.devices, 'device')}`);
  // The dashboard link is the workflow's own input (https only), never a string from a document.
  const dashboard = r.dashboardUrl && /^https:\/\/[^\s()<>\]\[]+$/.test(r.dashboardUrl) ? ` · [dashboard](${r.dashboardUrl})` : '';
  return `### ${STATUS_ICON[r.status]} edgeml report: **${word}** — ${parts.join(' · ')}${dashboard}`;
}

/** The row's own budgets by status (a failed warn-level budget as ⚠️), worst first. */
function budgetCell(budgets: BudgetRow[]): string {
  if (budgets.length === 0) return '';
  const icon = (b: BudgetRow) => (b.status === 'fail' && b.outcome !== 'failure' ? ICON.warning : ICON[b.status]);
  const order = [ICON.fail, ICON['not judged'], ICON.warning, ICON.inconclusive, ICON.pass];
  return order.map((i) => [i, budgets.filter((b) => icon(b) === i).length] as const).filter(([, n]) => n > 0).map(([i, n]) => `${i} ${n}`).join(' ');
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** Accuracy on the dataset this row was evaluated on: `top1 97.04% (test_inputs.npy)`. */
function accuracyCell(row: Row, e: Escape): string {
  const a = row.bench?.accuracy;
  if (!a) return '';
  const metrics = (['top1', 'top5', 'mae', 'rmse'] as const).filter((k) => typeof a[k] === 'number').map((k) => `${k} ${k.startsWith('top') ? pct(a[k]!) : fmtNumber(a[k]!)}`);
  return `${metrics.join(', ')} (${e(baseName(a.dataset.path))})`;
}

/** Fidelity of an artifact against its source; the source is the reference. */
function fidelityCell(row: Row): string {
  const f = row.bench?.fidelity;
  if (!f) return row.target.startsWith('source') ? 'reference' : '';
  const parts = [`cos ${f.cosine.toFixed(5)}`, f.maxAbsError === null ? 'max abs err not finite' : `max abs err ${fmtNumber(f.maxAbsError)}`];
  if (f.top1Agreement !== null) parts.push(`top-1 agree ${pct(f.top1Agreement)}`);
  return parts.join(' · ');
}

/** Size, with its change against the base when the row was compared. */
function sizeCell(row: Row): string {
  const head = row.compare?.head.model.bytes ?? row.bench?.model.bytes;
  if (head === undefined) return '';
  const base = row.compare?.base.model.bytes;
  if (base === undefined) return fmtBytes(head);
  return base === head ? `${fmtBytes(head)} (unchanged)` : `${fmtBytes(base)} → ${fmtBytes(head)} (${fmtChange(head / base)})`;
}

const withCi = (v: number | null, ci: [number, number] | null | undefined) => (ci ? `${fmtMs(v)} (${fmtInterval(ci)})` : fmtMs(v));

function changeCell(ratio: CompareDoc['ratio']['p50']): string {
  return ratio.ci95 ? `${fmtChange(ratio.estimate)} (${fmtChange(ratio.ci95[0])} … ${fmtChange(ratio.ci95[1])})` : fmtChange(ratio.estimate);
}

/** Peak memory, size (and its change), throughput, accuracy and fidelity: of the head side when compared. */
function resourceCells(row: Row, e: Escape): string[] {
  const head = row.compare?.head;
  const peak = head?.memory?.peakRssBytes ?? row.bench?.memory.peakRssBytes;
  const rate = head?.throughputPerSec ?? row.bench?.throughputPerSec;
  return [peak === undefined ? '' : fmtBytes(peak), sizeCell(row), rate === undefined ? '' : fmtRate(rate), accuracyCell(row, e), fidelityCell(row)];
}

/** A row's p50 as measured on its device: the head's when compared. */
const rowP50 = (row: Row | undefined): number | null => (row?.compare ? row.compare.head.latencyMs.p50 : row?.bench?.latencyMs.p50 ?? null);

/**
 * An artifact whose p50 is above its source's on the same device says so next to it, as the
 * optimize summary does: a smaller file that runs slower is a choice the user must see.
 */
function slowerThanSource(group: ModelGroup, row: Row): string {
  if (row.target.startsWith('source') || row.notMade) return '';
  const p = rowP50(row);
  const s = rowP50(group.rows.find((r) => r.target === 'source' && r.device === row.device));
  if (!p || !s || p <= s) return '';
  return ` ${ICON.warning} slower than the source here (${(s / p).toFixed(2)}x its speed, source ${fmtMs(s)})`;
}

/** The table of one model: rows target x device; base, head, change and interval when compared. */
export function modelTable(group: ModelGroup, e: Escape = escapeMarkdown): string {
  const compared = group.rows.some((r) => r.compare);
  const header = compared
    ? ['target', 'device', 'p50 base → head', 'Δ p50 (95% CI)', 'p90 base → head', 'Δ p90 (95% CI)', 'peak RSS', 'size', 'throughput', 'accuracy', 'fidelity vs source', 'verdict', 'budgets']
    : ['target', 'device', 'p50 (95% CI)', 'p90 (95% CI)', 'peak RSS', 'size', 'throughput', 'accuracy', 'fidelity vs source', 'budgets'];
  const rows = group.rows.map((row) => {
    const id = [e(row.target), e(row.device)];
    if (row.notMade) {
      // A configured target that could not be made: a failed row with the reason, never an empty one.
      const what = row.notMade.optional ? `${ICON['not judged']} not made (optional): ${e(row.notMade.reason)}` : `${ICON.fail} not made: ${e(row.notMade.reason)}`;
      return [...id, what, ...new Array<string>(header.length - 4).fill(''), budgetCell(row.budgets)];
    }
    const c = row.compare;
    if (c) {
      return [
        ...id,
        `${fmtMs(c.base.latencyMs.p50)} → ${fmtMs(c.head.latencyMs.p50)}${slowerThanSource(group, row)}`, changeCell(c.ratio.p50),
        `${fmtMs(c.base.latencyMs.p90)} → ${fmtMs(c.head.latencyMs.p90)}`, changeCell(c.ratio.p90),
        ...resourceCells(row, e), `${VERDICT_ICON[c.verdict]} ${c.verdict}`, budgetCell(row.budgets),
      ];
    }
    const b = row.bench!;
    const slower = slowerThanSource(group, row);
    const latency = compared
      ? [`${fmtMs(b.latencyMs.p50)}${slower}`, '', `${fmtMs(b.latencyMs.p90)}`, '']
      : [`${withCi(b.latencyMs.p50, b.latencyCi95Ms.p50)}${slower}`, withCi(b.latencyMs.p90, b.latencyCi95Ms.p90)];
    return [...id, ...latency, ...resourceCells(row, e), ...(compared ? ['not compared'] : []), budgetCell(row.budgets)];
  });
  if (group.rows.some((r) => r.trend?.length)) {
    header.push('p90 trend');
    group.rows.forEach((row, i) => rows[i].push(row.trend?.length ? `${sparkline(row.trend)} ${fmtMs(row.trend[row.trend.length - 1])}` : ''));
  }
  const align = header.map((_, i) => (i < 2 ? 'l' : 'r'));
  return [`#### ${e(group.name)}`, '', markdownTable([header, ...rows], { align })].join('\n');
}

export function budgetsTable(budgets: BudgetRow[], e: Escape = escapeMarkdown): string {
  const rows = budgets.map((b) => [
    budgetStatusCell(b.status, b.outcome), e(b.key), b.limitText ? fmtBudgetValue(b.key, b.value, b.limitText) : fmtNumber(b.value),
    b.limitText ? e(limitOf(b.direction ?? 'max', b.limitText)) : fmtNumber(b.limit), e(b.level),
    [[b.model, b.target].filter((s) => s !== undefined).map((s) => e(s!)).join(' '), b.device === undefined ? undefined : e(b.device)].filter(Boolean).join(' @ '), e(b.message),
  ]);
  return ['#### Budgets', '', markdownTable([['status', 'budget', 'value', 'limit', 'level', 'result', 'message'], ...rows])].join('\n');
}

function devicesTable(benches: BenchResults[], e: Escape): string {
  const seen = new Map<string, BenchResults['device']>();
  for (const b of benches) seen.set(`${b.device.label}\u0000${b.device.fingerprint}`, b.device);
  const rows = [...seen.values()].map((d) => [
    e(d.label), `\`${d.fingerprint}\``, `${e(d.os)} ${e(d.osRelease)} ${e(d.arch)}`, e(d.cpuModel), String(d.cores),
    fmtBytes(d.memoryBytes), e(d.node), d.runner ? d.runner.labels.map(e).join(', ') : '',
  ]);
  return ['**Devices**', '', markdownTable([['device', 'fingerprint', 'os', 'cpu', 'cores', 'memory', 'node', 'runner labels'], ...rows])].join('\n');
}

function settingsTable(rows: Array<{ model: string; row: Row; b: BenchResults }>, e: Escape): string {
  const body = rows.map(({ model, row, b }) => [
    e(model), e(row.target), e(row.device), `\`${b.model.sha256.slice(0, 12)}\``, b.scenario, String(b.iterations),
    b.durationMs !== null && b.durationMs >= 1000 ? `${(b.durationMs / 1000).toFixed(1)} s` : fmtMs(b.durationMs), String(b.settings.warmup), b.runtime.threads > 0 ? String(b.runtime.threads) : 'default',
    b.runtime.optLevel ?? '', `${e(b.runtime.name)} ${e(b.runtime.version)}`, String(b.settings.samplesPerQuery),
  ]);
  const header = ['model', 'target', 'device', 'sha256', 'scenario', 'queries', 'time', 'warmup', 'threads', 'opt', 'runtime', 'samples/query'];
  return ['**Settings**', '', markdownTable([header, ...body])].join('\n');
}

function profilesText(rows: Array<{ model: string; row: Row; b: BenchResults }>, e: Escape, top = 5): string {
  const out: string[] = [];
  for (const { model, row, b } of rows) {
    if (!b.profile) continue;
    const ops = b.profile.byOpType.slice(0, top).map((o) => [e(o.opType), fmtMs(o.ms), fmtShare(o.share), String(o.nodes)]);
    out.push(`**Top ops: ${e(model)}, ${e(row.target)} @ ${e(row.device)}** (kernel time over ${b.profile.runs} runs)`, '', markdownTable([['op type', 'ms/run', 'share', 'nodes'], ...ops], { align: ['l', 'r', 'r', 'r'] }), '');
  }
  return out.join('\n').trim();
}

function comparisonsTable(r: Report, e: Escape): string {
  const sha = (s?: string) => (s && /^[0-9a-f]{12,64}$/.test(s) ? `\`${s.slice(0, 12)}\`` : '');
  const rows = r.models.flatMap((m) => m.rows.filter((row) => row.compare).map((row) => {
    const c = row.compare!;
    return [e(m.name), e(row.target), e(row.device), sha(c.base.model.sha256), sha(c.head.model.sha256), String(c.rounds), `±${(c.threshold * 100).toFixed(1)}%`, `${VERDICT_ICON[c.verdict]} ${c.verdict}`];
  }));
  if (!rows.length) return '';
  const header = ['model', 'target', 'device', 'base sha256', 'head sha256', 'interleaved rounds', 'threshold', 'verdict'];
  return ['**Comparisons**', '', markdownTable([header, ...rows])].join('\n');
}

export function detailsBlock(r: Report, e: Escape = escapeMarkdown): string {
  const benched = r.models.flatMap((m) => m.rows.filter((row) => row.bench).map((row) => ({ model: m.name, row, b: row.bench! })));
  const inner: string[] = [];
  const profiles = profilesText(benched, e);
  if (profiles) inner.push(profiles);
  const comparisons = comparisonsTable(r, e);
  if (comparisons) inner.push(comparisons);
  if (benched.length) inner.push(devicesTable(benched.map((x) => x.b), e), settingsTable(benched, e));
  if (r.duplicates.length) inner.push(`Left out as older duplicates: ${r.duplicates.map(e).join(', ')}`);
  if (!inner.length) return '';
  return ['<details><summary>Details: profiles, comparisons, devices, settings</summary>', '', inner.join('\n\n'), '', '</details>'].join('\n');
}

export function chartsBlock(r: Report): string {
  const charts = r.models.flatMap((m) => [modelChart(m), ...m.rows.map((row) => compareChart(row, m.name))]).filter((c): c is string => !!c);
  if (!charts.length) return '';
  return ['<details open><summary>Charts</summary>', '', charts.join('\n\n'), '', '</details>'].join('\n');
}

/** The report in parts, in reading order. */
export function reportSections(r: Report, e: Escape = escapeMarkdown): Section[] {
  const sections: Section[] = [{ kind: 'headline', text: headline(r) }];
  const missing = missingDevicesNote(r, e);
  if (missing) sections.push({ kind: 'headline', text: missing });
  for (const m of r.models) {
    sections.push({ kind: 'model', text: modelTable(m, e) });
    const compat = r.compat?.find((c) => c.model === m.name);
    if (compat) sections.push({ kind: 'model', text: compatSection(compat, e) });
  }
  if (r.budgets.length) sections.push({ kind: 'budgets', text: budgetsTable(r.budgets, e) });
  const charts = chartsBlock(r);
  if (charts) sections.push({ kind: 'charts', text: charts });
  const details = detailsBlock(r, e);
  if (details) sections.push({ kind: 'details', text: details });
  return sections;
}

const join = (sections: Section[]) => `${sections.map((s) => s.text).join('\n\n')}\n`;

export function reportMarkdown(r: Report, e: Escape = escapeMarkdown): string {
  return join(reportSections(r, e));
}

/**
 * Fits the report into `limit` characters (GitHub comments hold 65,536): details go first, then
 * charts, then models from the end; each cut leaves a line pointing at the full report.
 */
export function fitMarkdown(sections: Section[], limit: number, fullReportUrl?: string): string {
  const where = fullReportUrl ? `the [job summary](${fullReportUrl})` : 'the job summary';
  const note = (what: string): Section => ({ kind: 'details', text: `> ${what} cut to fit GitHub's comment limit: the full report is in ${where}.` });
  if (join(sections).length <= limit) return join(sections);
  let kept = sections.filter((s) => s.kind !== 'details');
  const withNote = (what: string) => [...kept, note(what)];
  if (join(withNote('Details')).length <= limit) return join(withNote('Details'));
  kept = kept.filter((s) => s.kind !== 'charts');
  if (join(withNote('Details and charts')).length <= limit) return join(withNote('Details and charts'));
  while (kept.length > 1 && join(withNote('Details, charts and tables')).length > limit) kept.pop();
  const text = join(withNote('Details, charts and tables'));
  return text.length <= limit ? text : `${text.slice(0, limit - 200).replace(/\n[^\n]*$/, '')}\n\n${note('The report was').text}\n`;
}
