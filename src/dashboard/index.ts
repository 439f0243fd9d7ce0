// `edgeml dashboard`: a static page from the history, one chart per model and metric with a
// series per device and target, commit links, budget lines and regressions marked.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { METRICS, readEntries, type BudgetLine, type HistoryEntry } from '../history/index.js';
import { escapeHtml as h } from '../report/escape.js';
import { writeFileAtomic } from '../documents/index.js';
import { PALETTE, renderChart, type Series } from './chart.js';

export interface DashboardOptions {
  title?: string;
}

interface Row {
  commitIndex: number;
  entry: HistoryEntry;
  result: HistoryEntry['results'][number];
}

const LATENCY = new Set(['latency.p50', 'latency.p90', 'latency.p99']);

/** Budget lines that apply to a model and metric, from the newest entry that states budgets. */
function budgetsFor(entries: HistoryEntry[], model: string, metric: string): BudgetLine[] {
  const latest = [...entries].reverse().find((e) => e.budgets?.length);
  return (latest?.budgets ?? []).filter((b) => b.metric === metric && (!b.model || b.model === model));
}

function seriesName(rows: Row[], fingerprint: string, target: string): string {
  const labels = new Set(rows.filter((r) => r.entry.device.fingerprint === fingerprint).map((r) => r.entry.device.label));
  return `${[...labels].join(' / ')} · ${target}`;
}

export function renderDashboard(entries: HistoryEntry[], opts: DashboardOptions = {}): string {
  const title = opts.title ?? 'edgeml benchmark history';
  const commits: string[] = [];
  const commitIndex = new Map<string, number>();
  for (const e of entries) {
    if (!commitIndex.has(e.commit)) {
      commitIndex.set(e.commit, commits.length);
      commits.push(e.commit);
    }
  }
  const byModel = new Map<string, Row[]>();
  for (const entry of entries) {
    for (const result of entry.results) {
      const rows = byModel.get(result.model) ?? [];
      rows.push({ commitIndex: commitIndex.get(entry.commit)!, entry, result });
      byModel.set(result.model, rows);
    }
  }
  const sections: string[] = [];
  let chartNo = 0;
  for (const [model, rows] of [...byModel].sort(([a], [b]) => a.localeCompare(b))) {
    const keys = [...new Set(rows.map((r) => `${r.entry.device.fingerprint}\u0000${r.result.target}`))].sort();
    // Commits this model has results for, in time order: its charts' x axis.
    const modelCommits = [...new Set(rows.map((r) => r.commitIndex))].sort((a, b) => a - b);
    const xOf = new Map(modelCommits.map((c, i) => [c, i]));
    const charts = METRICS.map((metric) => {
      const columns = modelCommits.map((c) => ({ lines: [] as string[], entry: undefined as HistoryEntry | undefined, c }));
      const series: Series[] = keys.map((key) => {
        const [fingerprint, target] = key.split('\u0000');
        const name = seriesName(rows, fingerprint, target);
        const points = rows
          .filter((r) => r.entry.device.fingerprint === fingerprint && r.result.target === target)
          .flatMap((r) => {
            const y = metric.read(r.result.bench);
            const col = columns[xOf.get(r.commitIndex)!];
            col.entry ??= r.entry;
            // A figure the runtime's tool does not report is no point at all, not a zero.
            if (y === null) return [];
            const slower = LATENCY.has(metric.key) && r.result.verdict === 'slower';
            col.lines.push(`${name}: ${Number(y.toPrecision(4))} ${metric.unit}${slower ? ' (compare: slower)' : ''}`);
            return [{ x: xOf.get(r.commitIndex)!, y, ...(slower ? { regression: true } : {}) }];
          });
        return { name, points };
      });
      const budgets = budgetsFor(entries, model, metric.key).map((b) => ({
        value: b.limit,
        label: `budget ${Number(b.limit.toPrecision(4))} ${metric.unit}${b.target ? ` (${b.target})` : ''}`,
      }));
      const svg = renderChart({
        id: `chart-${++chartNo}`,
        title: `${model}: ${metric.title}`,
        unit: metric.unit,
        series,
        commits: modelCommits.map((c) => commits[c].slice(0, 7)),
        columns: columns.map((col) => ({
          label: [`${commits[col.c].slice(0, 12)} · ${col.entry?.timestamp.slice(0, 16).replace('T', ' ') ?? ''}`, ...col.lines].join('\n'),
          ...(col.entry?.url ? { href: col.entry.url } : {}),
        })),
        budgets,
      });
      return `<figure data-metric="${h(metric.key)}"><figcaption>${h(metric.title)} <span class="unit">${h(metric.unit)}</span></figcaption>${svg}</figure>`;
    });
    const legend = keys
      .map((key, i) => {
        const [fingerprint, target] = key.split('\u0000');
        return `<li><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${h(seriesName(rows, fingerprint, target))}</li>`;
      })
      .join('');
    const regressions = rows.filter((r) => r.result.verdict === 'slower').length;
    sections.push(
      `<section class="model" data-model="${h(model)}"><h2>${h(model)}</h2>` +
        `<p class="meta">${new Set(rows.map((r) => r.entry.commit)).size} commits · ${keys.length} series${regressions ? ` · <span class="regression-count">${regressions} marked slower by compare</span>` : ''}</p>` +
        `<ul class="legend">${legend}</ul><div class="charts">${charts.join('')}</div></section>`,
    );
  }
  const newest = entries[entries.length - 1];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${h(title)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 4px}
.meta{color:#59636e;margin:0 0 8px}.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px;margin:0 0 8px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
figure{margin:0;border:1px solid #d1d9e0;border-radius:6px;padding:8px}figcaption{font-weight:600;margin-bottom:4px}
.unit{color:#59636e;font-weight:400}svg.chart{width:100%;height:auto}
.grid{stroke:#eef1f4}.tick,.unit{font-size:11px;fill:#59636e}
.series polyline{fill:none;stroke:var(--c);stroke-width:1.5}.series .point{fill:var(--c)}
.series .point.regression{fill:#d1242f;stroke:#fff;stroke-width:1.5}
.col{fill:transparent}.col:hover{fill:rgba(31,35,40,.06)}
.budget line{stroke:#d1242f;stroke-dasharray:6 4}.budget text{font-size:11px;fill:#d1242f}
.regression-count{color:#d1242f}
</style>
</head>
<body>
<h1>${h(title)}</h1>
<p class="meta">${entries.length} results files · ${commits.length} commits${newest ? ` · newest ${h(newest.commit.slice(0, 12))} at ${h(newest.timestamp)}` : ''} · red points: <code>edgeml compare</code> said slower; dashed lines: budgets</p>
${sections.join('\n') || '<p>No results yet: append some with <code>edgeml history append</code>.</p>'}
</body>
</html>
`;
}

/** Writes the site to `out` (index.html), replacing the old page in one rename. */
export function writeDashboard(out: string, html: string): string {
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UserError(`--out ${out}: cannot create the folder (${oneLine(e)})`);
  }
  const file = join(out, 'index.html');
  writeFileAtomic(file, html);
  return file;
}

/** Rebuilds the page of a history folder in place (the data branch's work tree, after an append). */
export function rebuildDashboard(dir: string, title?: string): void {
  writeDashboard(dir, renderDashboard(readEntries(dir).entries, title ? { title } : {}));
}
