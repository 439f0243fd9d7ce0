// Charts GitHub renders without any image host: Mermaid `xychart-beta` blocks in Markdown, and
// standalone SVG files for artifacts. Labels come from documents: both keep only a safe alphabet.
import type { ModelGroup, Row } from './types.js';

/** Letters, digits and a few separators: nothing Mermaid, Markdown or SVG could act on. */
export function chartLabel(text: string, max = 32): string {
  const safe = text.replace(/[^A-Za-z0-9 ._,/-]+/g, '_').replace(/\s+/g, ' ').trim();
  return safe.length > max ? `${safe.slice(0, max - 1)}_` : safe || '_';
}

const n4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0);

interface Series {
  kind: 'bar' | 'line';
  values: number[];
}

/** An xychart-beta block; the title says which series is which (the chart has no legend). */
export function xyChart(title: string, labels: string[], yLabel: string, series: Series[]): string {
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${chartLabel(title, 80)}"`,
    `  x-axis [${labels.map((l) => `"${chartLabel(l)}"`).join(', ')}]`,
    `  y-axis "${chartLabel(yLabel)}" 0 --> ${n4(max * 1.1) || 1}`,
    ...series.map((s) => `  ${s.kind} [${s.values.map(n4).join(', ')}]`),
    '```',
  ].join('\n');
}

const rowLabel = (r: Row) => `${r.device} / ${r.target}`;
/** Head p90 of a row: from the comparison when there is one. */
const headP90 = (r: Row) => r.compare?.head.latencyMs.p90 ?? r.bench?.latencyMs.p90 ?? NaN;

/** Rows that were measured (a target that could not be made has nothing to draw). */
const measuredRows = (group: ModelGroup) => group.rows.filter((r) => r.bench || r.compare);

/**
 * p90 latency of every target x device of a model. The base is drawn as a line only when every
 * row was compared: a line point for a row never compared would be a base that was not measured.
 */
export function modelChart(group: ModelGroup): string | null {
  const rows = measuredRows(group);
  if (rows.length === 0) return null;
  const labels = rows.map(rowLabel);
  const allCompared = rows.every((r) => r.compare);
  const series: Series[] = [{ kind: 'bar', values: rows.map(headP90) }];
  if (allCompared) series.push({ kind: 'line', values: rows.map((r) => r.compare!.base.latencyMs.p90) });
  const some = !allCompared && rows.some((r) => r.compare);
  const title = `${group.name} p90 latency ms${allCompared ? ', bars head, line base' : some ? ', head only (base in each comparison chart)' : ''}`;
  return xyChart(title, labels, 'ms', series);
}

/** Equal-width bins over both sample sets: the latency distribution of base and head. */
export function histogram(a: number[], b: number[], bins = 20): { edges: number[]; a: number[]; b: number[] } {
  const all = [...a, ...b].sort((x, y) => x - y);
  // Clip the far tail (above the 99th percentile) so one outlier does not squash the chart.
  const lo = all[0];
  const hi = all[Math.min(all.length - 1, Math.floor(all.length * 0.99))];
  const width = (hi - lo) / bins || 1;
  const count = (xs: number[]) => {
    const c = new Array<number>(bins).fill(0);
    for (const x of xs) c[Math.max(0, Math.min(bins - 1, Math.floor((x - lo) / width)))]++;
    return c.map((v) => v / xs.length);
  };
  return { edges: Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width), a: count(a), b: count(b) };
}

/** Base vs head of one comparison: the distribution when both kept samples, else the percentiles. */
export function compareChart(row: Row, modelName: string): string | null {
  const c = row.compare;
  if (!c) return null;
  const title = `${modelName} ${rowLabel(row)}`;
  if (c.base.samplesMs?.length && c.head.samplesMs?.length) {
    const h = histogram(c.base.samplesMs, c.head.samplesMs);
    return xyChart(`${title} latency distribution, bars head, line base`, h.edges.map((e) => String(n4(e))), 'share of queries', [
      { kind: 'bar', values: h.b },
      { kind: 'line', values: h.a },
    ]);
  }
  const keys = (['p50', 'p90', 'p99'] as const).filter((k) => c.base.latencyMs[k] !== undefined && c.head.latencyMs[k] !== undefined);
  return xyChart(`${title} latency ms, bars head, line base`, [...keys], 'ms', [
    { kind: 'bar', values: keys.map((k) => c.head.latencyMs[k]!) },
    { kind: 'line', values: keys.map((k) => c.base.latencyMs[k]!) },
  ]);
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A standalone horizontal bar chart (p90 per target x device) for artifacts and local viewing. */
export function modelSvg(group: ModelGroup): string {
  const rows = measuredRows(group).map((r) => ({ label: chartLabel(rowLabel(r), 48), head: headP90(r), base: r.compare?.base.latencyMs.p90 }));
  const max = Math.max(1e-9, ...rows.flatMap((r) => [r.head, r.base ?? 0].filter(Number.isFinite)));
  const barH = 18;
  const gap = 10;
  const left = 300;
  const width = 760;
  const top = 40;
  const height = top + rows.length * (barH * 2 + gap) + 20;
  const scale = (v: number) => (Number.isFinite(v) ? ((width - left - 80) * v) / max : 0);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${xml(chartLabel(group.name, 80))}: p90 latency (ms)</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + i * (barH * 2 + gap);
    parts.push(`<text x="${left - 8}" y="${y + barH - 4}" text-anchor="end">${xml(r.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${scale(r.head).toFixed(1)}" height="${barH}" fill="#2f81f7"><title>head</title></rect>`);
    parts.push(`<text x="${left + scale(r.head) + 4}" y="${y + barH - 4}">${n4(r.head)} head</text>`);
    if (r.base !== undefined) {
      parts.push(`<rect x="${left}" y="${y + barH}" width="${scale(r.base).toFixed(1)}" height="${barH}" fill="#8c959f"><title>base</title></rect>`);
      parts.push(`<text x="${left + scale(r.base) + 4}" y="${y + 2 * barH - 4}">${n4(r.base)} base</text>`);
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
