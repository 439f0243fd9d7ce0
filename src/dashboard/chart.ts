// One line chart as inline SVG: x is the commit order, y the metric. No script, no web font,
// nothing fetched: it renders the same offline, on GitHub Pages, or opened from disk.
import { escapeHtml as h } from '../report/escape.js';

export interface Point {
  /** Position on the x axis: index of the commit in time order. */
  x: number;
  y: number;
  regression?: boolean;
}

/** One commit's column: hovering shows every series' value there, clicking opens the commit. */
export interface Column {
  label: string;
  href?: string;
}

export interface Series {
  name: string;
  points: Point[];
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: Series[];
  /** Commit labels along x (short hashes), by index. */
  commits: string[];
  columns: Column[];
  budgets: Array<{ value: number; label: string }>;
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#d62728'];

const W = 720;
const H = 260;
const M = { left: 64, right: 16, top: 16, bottom: 36 };
/** Above this many commits a chart draws lines only (and regressions): the page stays small. */
export const DOT_LIMIT = 60;

/** Round tick steps (1, 2, 5 x 10^k) covering [lo, hi] in about `count` steps. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}

export function renderChart(spec: ChartSpec): string {
  const values = [...spec.series.flatMap((s) => s.points.map((p) => p.y)), ...spec.budgets.map((b) => b.value)].filter(Number.isFinite);
  const ticks = niceTicks(Math.min(0, ...values), values.length ? Math.max(...values) : 1);
  const y0 = ticks[0];
  const y1 = ticks[ticks.length - 1];
  const n = Math.max(1, spec.commits.length - 1);
  const px = (x: number) => M.left + ((W - M.left - M.right) * (spec.commits.length === 1 ? 0.5 : x / n));
  const py = (y: number) => H - M.bottom - ((H - M.top - M.bottom) * (y - y0)) / (y1 - y0 || 1);
  const out: string[] = [];
  out.push(`<svg class="chart" id="${h(spec.id)}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${h(spec.id)}-title" xmlns="http://www.w3.org/2000/svg">`);
  out.push(`<title id="${h(spec.id)}-title">${h(spec.title)} (${h(spec.unit)})</title>`);
  for (const t of ticks) {
    out.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}"/>`);
    out.push(`<text class="tick" x="${M.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${h(fmt(t))}</text>`);
  }
  // A few commit labels along x: first, last and evenly between.
  const every = Math.max(1, Math.ceil(spec.commits.length / 8));
  spec.commits.forEach((c, i) => {
    // Every `every`-th label, and the last one unless it would sit on top of its neighbour.
    if ((i % every === 0 && (i === 0 || spec.commits.length - 1 - i >= every)) || i === spec.commits.length - 1) {
      const anchor = spec.commits.length > 1 && i === spec.commits.length - 1 ? 'end' : i === 0 && spec.commits.length > 1 ? 'start' : 'middle';
      out.push(`<text class="tick" x="${px(i).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="${anchor}">${h(c)}</text>`);
    }
  });
  for (const b of spec.budgets) {
    const y = py(b.value).toFixed(1);
    out.push(`<g class="budget"><line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/><text x="${W - M.right - 4}" y="${Number(y) - 4}" text-anchor="end">${h(b.label)}</text></g>`);
  }
  const dots = spec.commits.length <= DOT_LIMIT;
  spec.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    out.push(`<g class="series" data-series="${h(s.name)}" data-points="${pts.length}" style="--c:${color}">`);
    if (pts.length > 1) out.push(`<polyline points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) {
      if (dots || p.regression) {
        out.push(`<circle class="${p.regression ? 'point regression' : 'point'}" cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="${p.regression ? 5 : 3}"/>`);
      }
    }
    out.push('</g>');
  });
  // Hover and click targets, one per commit, on top of the lines.
  const step = spec.commits.length > 1 ? (W - M.left - M.right) / n : W - M.left - M.right;
  spec.columns.forEach((c, i) => {
    const rect = `<rect class="col" x="${(px(i) - step / 2).toFixed(1)}" y="${M.top}" width="${step.toFixed(1)}" height="${H - M.top - M.bottom}"><title>${h(c.label)}</title></rect>`;
    out.push(c.href ? `<a href="${h(c.href)}" target="_blank" rel="noopener noreferrer">${rect}</a>` : rect);
  });
  out.push('</svg>');
  return out.join('');
}
