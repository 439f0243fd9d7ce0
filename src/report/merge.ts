// Many documents (a device matrix, comparisons, budget checks) merged into one report model:
// models, and in each model one row per target x device. Pure data; rendering is elsewhere.
import { trendOf } from '../history/index.js';
import { STATUSES, isCompatKey } from '../budgets/index.js';
import { VERDICTS, type Verdict } from '../compare/index.js';
import type { BenchSummary, BudgetRow, CompatInput, ReportInputs, Row, ReportStatus, Report, ReportOptions } from './types.js';

/**
 * The row name of a result without an optimize target: `source`, as budgets call it, with the
 * format and execution provider when they are not the default ("source ort xnnpack").
 */
export function targetOf(format: string | undefined, executionProvider: string | undefined): string {
  const f = format ?? 'onnx';
  const ep = executionProvider ?? 'cpu';
  return f === 'onnx' && ep === 'cpu' ? 'source' : `source ${f} ${ep}`;
}

/** Source rows first, then the targets by name; devices by name within each. */
const rowOrder = (a: Row, b: Row) => Number(!a.target.startsWith('source')) - Number(!b.target.startsWith('source')) || a.target.localeCompare(b.target) || a.device.localeCompare(b.device);

function deviceOf(d: { label: string; fingerprint?: string }): string {
  return d.label || d.fingerprint || 'device';
}

function summaryTarget(s: BenchSummary): string {
  return targetOf(s.model.format, s.runtime?.executionProvider);
}

/** Worst first: any failure fails the report; otherwise any doubt leaves it inconclusive. */
export function overallStatus(budgets: BudgetRow[], verdicts: Verdict[], notMade = false): ReportStatus {
  if (notMade || budgets.some((b) => b.outcome === 'failure') || verdicts.includes('slower')) return 'fail';
  // Doubt: an inconclusive budget, or one not judged that is not optional (a failed warn-level budget only warns).
  if (budgets.some((b) => b.status === 'inconclusive' || (b.status === 'not judged' && b.outcome !== 'notice')) || verdicts.includes('inconclusive')) return 'inconclusive';
  return budgets.length || verdicts.length ? 'pass' : 'none';
}

/**
 * A compat.* budget stands in the report only beside the inspection it judged. A judged row whose
 * model has no inspection of its runtime among the report's documents (no compat document given,
 * or one without that runtime) is shown as not judged, failing as a not-judged budget fails, and
 * the runtime as not inspected: never "compatible" on a verdict the report cannot show.
 */
export function compatWithoutInspection(budgets: BudgetRow[], compat: CompatInput[]): { budgets: BudgetRow[]; compat: CompatInput[] } {
  const out = compat.map((c) => ({ ...c, failed: [...c.failed] }));
  const rows = budgets.map((b): BudgetRow => {
    if (!isCompatKey(b.key) || b.status === 'not judged' || b.model === undefined) return b;
    const runtime = b.key.split('.')[1];
    let c = out.find((x) => x.model === b.model);
    if (c?.head?.targets.some((t) => t.target === runtime)) return b;
    const reason = c?.head
      ? `the compat document of ${b.model} has no inspection for ${runtime}`
      : `no compat document for ${b.model} among the report's documents: give the compat/ documents edgeml run wrote (--compat, or the report action's compat input)`;
    if (!c) out.push((c = { model: b.model, failed: [] }));
    if (!c.failed.some((f) => f.target === runtime)) c.failed.push({ model: b.model, target: runtime, reason });
    const outcome: BudgetRow['outcome'] = b.optional ? 'notice' : b.level === 'error' ? 'failure' : 'warning';
    return { ...b, status: 'not judged', outcome, value: null, message: `not inspected: ${reason}` };
  });
  return { budgets: rows, compat: out };
}

export function buildReport(inputs: ReportInputs, opts: ReportOptions = {}): Report {
  const groups = new Map<string, Map<string, Row>>();
  const rowFor = (model: string, target: string, device: string): Row => {
    let rows = groups.get(model);
    if (!rows) groups.set(model, (rows = new Map()));
    const key = JSON.stringify([target, device]);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { target, device, budgets: [] }));
    return row;
  };

  const duplicates: string[] = [];
  // Newest first, so a re-uploaded result replaces the older one of the same cell.
  const results = [...inputs.results].sort((a, b) => b.doc.createdAt.localeCompare(a.doc.createdAt));
  for (const { file, doc } of results) {
    const row = rowFor(doc.model.name, doc.target ?? targetOf(doc.model.format, doc.runtime.executionProvider), deviceOf(doc.device));
    if (row.bench) duplicates.push(file);
    else row.bench = doc;
  }
  for (const { doc } of inputs.compare) {
    // An artifacts comparison joins its target's row, as the artifact's results do (results carry `target`).
    rowFor(doc.head.model.name, doc.target ?? summaryTarget(doc.head), deviceOf(doc.head.device)).compare = doc;
  }
  for (const m of inputs.notMade ?? []) rowFor(m.model, m.target, '').notMade = { reason: m.reason, optional: m.optional };
  const checked = compatWithoutInspection(inputs.check.flatMap((c) => c.doc.budgets), inputs.compat ?? []);
  const { budgets } = checked;
  for (const b of budgets) {
    if (b.model === undefined) continue;
    const rows = groups.get(b.model);
    // Each budget on the row it judged: its target (check documents before `target` go on every row).
    for (const row of rows?.values() ?? []) {
      if ((b.device === undefined || b.device === row.device || row.notMade) && (b.target === undefined || b.target === row.target)) row.budgets.push(b);
    }
  }

  if (opts.history?.length) {
    for (const rows of groups.values()) {
      for (const row of rows.values()) {
        const t = row.bench ? trendOf(opts.history, row.bench, 'latency.p90', opts.trendPoints ?? 10) : [];
        if (t.length) row.trend = t;
      }
    }
  }
  const models = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, rows]) => ({
      name,
      rows: [...rows.values()].sort(rowOrder),
    }));
  const verdicts = inputs.compare.map((c) => c.doc.verdict);
  const count = <K extends string>(keys: readonly K[], values: K[]) =>
    Object.fromEntries(keys.map((k) => [k, values.filter((v) => v === k).length])) as Record<K, number>;
  const devices = new Set(models.flatMap((m) => m.rows.filter((r) => !r.notMade).map((r) => r.device)));
  const missing = [...new Set(opts.expected?.devices ?? [])].filter((d) => !devices.has(d)).map((device) => ({ device, reason: opts.expected!.reason }));
  // A target not made, or a runtime under inspect: not inspected, fails the report as it fails the run.
  const status = overallStatus(budgets, verdicts, (inputs.notMade ?? []).some((m) => !m.optional) || checked.compat.some((c) => c.failed.some((f) => f.fails)));
  return {
    // A device that did not report was not judged: what the others passed is not a pass for all.
    status: missing.length && status === 'pass' ? 'inconclusive' : status,
    counts: {
      results: inputs.results.length - duplicates.length,
      models: models.length,
      devices: devices.size,
      budgets: count(STATUSES, budgets.map((b) => b.status)),
      verdicts: count(VERDICTS, verdicts),
    },
    models,
    budgets,
    duplicates,
    ...(opts.dashboardUrl ? { dashboardUrl: opts.dashboardUrl } : {}),
    ...(missing.length ? { missing } : {}),
    ...(checked.compat.length ? { compat: checked.compat } : {}),
  };
}
