// The benchmark result as Markdown: read on a terminal, in a job summary and in PR comments.
import { markdownTable } from 'markdown-table';
import type { BenchResults } from '../results/index.js';
import { fmtBytes, fmtInterval, fmtMs, fmtRate, fmtShare } from './format.js';
import { escapeMarkdown } from './escape.js';
import type { Escape } from './types.js';

/** A headline line and the table of one benchmark. Every string from the document is escaped. */
export function benchMarkdown(r: BenchResults, e: Escape = escapeMarkdown): string {
  const threads = r.runtime.threads > 0 ? `${r.runtime.threads} threads` : 'default threads';
  const perQuery = r.settings.samplesPerQuery > 1 ? ` · ${r.settings.samplesPerQuery} samples/query (${r.queryMode})` : '';
  const head = [
    `**${e(r.model.name)}** (${fmtBytes(r.model.bytes)}, ${r.model.format}, sha256 \`${r.model.sha256.slice(0, 12)}\`) on **${e(r.device.label)}**`,
    `${e(r.device.cpuModel)}, ${r.device.cores} cores, ${fmtBytes(r.device.memoryBytes)}${r.device.cpuFlags.length ? `, ${r.device.cpuFlags.map(e).join(' ')}` : ''}`,
    runtimeLine(r, e, threads, perQuery),
  ];
  // benchmark_app and benchmark_model give no per-query times: no interval can be formed.
  const aggregateOnly = r.runtime.tool !== undefined && r.runtime.tool.name !== 'trtexec';
  const ci = (c: [number, number] | null) => (c === null && aggregateOnly ? 'not reported' : fmtInterval(c));
  const mark = (metric: string) => (r.headline.metric === metric ? ' (headline)' : '');
  const rows: string[][] = [
    ['metric', 'value', '95% interval'],
    ['load', fmtMs(r.loadMs), ''],
    ['first run', fmtMs(r.firstRunMs), ''],
    [`p50${mark('latency.p50')}`, fmtMs(r.latencyMs.p50), ci(r.latencyCi95Ms.p50)],
    [`p90${mark('latency.p90')}`, fmtMs(r.latencyMs.p90), ci(r.latencyCi95Ms.p90)],
    ['p95', fmtMs(r.latencyMs.p95), ''],
    [`p99${mark('latency.p99')}`, fmtMs(r.latencyMs.p99), ''],
    [`mean ± sd${mark('latency.mean')}`, r.latencyMs.stddev === null ? `${fmtMs(r.latencyMs.mean)} ± not reported` : `${fmtMs(r.latencyMs.mean)} ± ${fmtMs(r.latencyMs.stddev)}`, ''],
    ['min / max', `${fmtMs(r.latencyMs.min)} / ${fmtMs(r.latencyMs.max)}`, ''],
    [`throughput${mark('throughput')}`, fmtRate(r.throughputPerSec), ''],
    ['peak RSS', fmtBytes(r.memory.peakRssBytes), r.memory.modelRssBytes === null ? '' : `model +${fmtBytes(r.memory.modelRssBytes)}`],
  ];
  const notes: string[] = [];
  for (const key of ['p90', 'p99'] as const) {
    const es = r.earlyStopping[key];
    if (!es.sufficient) {
      notes.push(`${key} rests on ${r.iterations} queries; MLPerf early stopping needs ${es.minQueries} (raise --min-iterations).`);
    }
  }
  const parts = [head.join('  \n'), '', markdownTable(rows, { align: ['l', 'r', 'r'] })];
  if (notes.length) parts.push('', ...notes.map((n) => `> ${n}`));
  if (r.profile) parts.push('', profileMarkdown(r.profile, e));
  return parts.join('\n');
}

/** "onnxruntime-node 1.30.0 · cpu · ..." or, for a vendor tool, "tensorrt 10.16.1 (trtexec) · ...". */
function runtimeLine(r: BenchResults, e: Escape, threads: string, perQuery: string): string {
  const rt = r.runtime;
  const name = rt.tool ? `${rt.name} ${e(rt.version)} (${rt.tool.name})` : `${rt.name} ${e(rt.version)}`;
  const opts = [e(rt.executionProvider), threads, ...(rt.optLevel ? [`opt ${rt.optLevel}`] : []), ...(rt.precision ? [rt.precision] : [])];
  const span = r.durationMs === null ? `${r.iterations} queries` : `${r.iterations} queries in ${(r.durationMs / 1000).toFixed(1)} s`;
  return [name, ...opts, `${r.scenario}${perQuery}`, span].join(' · ');
}

export function profileMarkdown(p: NonNullable<BenchResults['profile']>, e: Escape = escapeMarkdown, top = 10): string {
  const ops = markdownTable(
    [['op type', 'ms/run', 'share', 'nodes'], ...p.byOpType.slice(0, top).map((o) => [e(o.opType), fmtMs(o.ms), fmtShare(o.share), String(o.nodes)])],
    { align: ['l', 'r', 'r', 'r'] },
  );
  const nodes = markdownTable(
    [['node', 'op type', 'provider', 'ms/run', 'share'], ...p.topNodes.slice(0, top).map((n) => [e(n.node), e(n.opType), e(n.provider), fmtMs(n.ms), fmtShare(n.share)])],
    { align: ['l', 'l', 'l', 'r', 'r'] },
  );
  return [`Profile (kernel time over ${p.runs} runs)`, '', ops, '', nodes].join('\n');
}
