// The report's view of the documents it is given: bench results as they are, and compare and
// check documents (read and validated by their own modules, schemas/compare.schema.json and
// schemas/check.schema.json) reduced to what the report shows, and the compat documents of
// `edgeml run` (schemas/compat.schema.json). All are read as untrusted input.
import { readFileSync } from 'node:fs';
import { readCheck, type BudgetCheck, type BudgetStatus, type CheckDocument } from '../budgets/index.js';
import { readCompare, type CompareResults } from '../compare/index.js';
import { readCompat, readInspect } from '../compat/document.js';
import { UserError } from '../errors.js';
import { readResults } from '../results/index.js';
import { percentile, sortedCopy } from '../stats/index.js';
import type { BenchSummary, ReportInputs, CompareDoc, BudgetRow, CheckDoc, CompatInput } from './types.js';

const median = (xs: number[]) => percentile(sortedCopy(xs), 0.5);

/** A compare document as the report shows it: each side's latency is the median over rounds. */
export function compareView(doc: CompareResults): CompareDoc {
  const rounds = doc.measurements;
  const head = { p50: median(rounds.map((r) => r.head.p50)), p90: median(rounds.map((r) => r.head.p90)) };
  const baseArms = rounds.flatMap((r) => (r.base ? [r.base] : []));
  // A stored base is one earlier run: its level follows from the ratio.
  const base = baseArms.length
    ? { p50: median(baseArms.map((b) => b.p50)), p90: median(baseArms.map((b) => b.p90)) }
    : { p50: head.p50 / doc.ratio.p50.estimate, p90: head.p90 / doc.ratio.p90.estimate };
  const side = (model: CompareResults['head']['model'], version: string, device: { label: string; fingerprint: string }, latencyMs: { p50: number; p90: number }): BenchSummary => ({
    model: { name: model.name, bytes: model.bytes, sha256: model.sha256, format: model.format },
    runtime: { version, executionProvider: doc.runtime.executionProvider },
    device: { label: device.label, fingerprint: device.fingerprint },
    latencyMs,
  });
  return {
    kind: 'compare',
    ...(doc.target !== undefined ? { target: doc.target } : {}),
    verdict: doc.verdict,
    ratio: { p50: { estimate: doc.ratio.p50.estimate, ci95: doc.ratio.p50.ci95 }, p90: { estimate: doc.ratio.p90.estimate, ci95: doc.ratio.p90.ci95 } },
    rounds: doc.rounds,
    threshold: doc.threshold,
    base: side(doc.base.model, doc.base.runtimeVersion, doc.base.device ?? doc.device, base),
    head: side(doc.head.model, doc.runtime.version, doc.device, head),
  };
}

/** A budget row as the report shows it; rows with nothing to judge are shown as `not judged`. */
export function budgetView(c: BudgetCheck): BudgetRow {
  const status: BudgetStatus = c.status;
  return {
    key: c.key,
    value: c.value,
    limit: c.limit,
    limitText: c.limitText,
    direction: c.direction,
    status,
    outcome: c.outcome,
    level: c.level,
    ...(c.optional ? { optional: true } : {}),
    message: [c.status === 'fail' ? c.message : undefined, c.note].filter(Boolean).join('; '),
    ...(c.model !== undefined ? { model: c.model } : {}),
    ...(c.target !== undefined ? { target: c.target } : {}),
    ...(c.device !== undefined ? { device: c.device } : {}),
  };
}

export function checkView(doc: CheckDocument): CheckDoc {
  return { kind: 'check', budgets: doc.checks.map(budgetView) };
}

const schemaOf = (file: string): unknown => {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { schema?: unknown } | null)?.schema;
  } catch {
    return undefined; // readCompat names the problem
  }
};

/**
 * One model's compatibility from a file: a compat document of `edgeml run` (compat/<model>.json),
 * or an inspect document of `edgeml inspect --json` (this commit's model only, named as inspect
 * named it). Both are validated; a fork may have written either.
 */
export function readCompatInput(file: string): CompatInput {
  if (schemaOf(file) === 'edgeml-inspect/1') {
    const doc = readInspect(file);
    return { model: doc.model.name, head: doc, failed: [] };
  }
  const doc = readCompat(file);
  for (const f of doc.notInspected) {
    if (f.model !== doc.model) throw new UserError(`${file}: a runtime not inspected names model '${f.model}', not the document's '${doc.model}'; regenerate it with 'edgeml run'`);
  }
  return {
    model: doc.model,
    ...(doc.head ? { head: doc.head } : {}),
    ...(doc.base ? { base: doc.base } : {}),
    ...(doc.baseNote ? { baseNote: doc.baseNote } : {}),
    failed: doc.notInspected,
  };
}

/**
 * One entry per model: the devices of a matrix each upload the same model's document; the first
 * that holds an inspection is shown, and without any, the runtimes none could inspect.
 */
export function mergeCompat(inputs: CompatInput[]): CompatInput[] {
  const byModel = new Map<string, CompatInput>();
  for (const c of inputs) {
    const seen = byModel.get(c.model);
    if (!seen || (!seen.head && c.head)) byModel.set(c.model, c);
    else if (!seen.head && !c.head) {
      const failed = [...seen.failed, ...c.failed.filter((f) => !seen.failed.some((s) => s.target === f.target))];
      byModel.set(c.model, { ...seen, failed });
    }
  }
  return [...byModel.values()];
}

/**
 * Reads and validates every document; the first bad one is a UserError naming its file. None at
 * all is an error unless `allowNone` (a matrix whose devices all failed to report).
 */
export function readReportInputs(files: { results: string[]; compare?: string[]; check?: string[]; compat?: string[] }, allowNone = false): ReportInputs {
  if (files.results.length === 0 && !files.compare?.length && !allowNone) {
    throw new UserError('no results given: pass --results with the files written by \'edgeml bench --json\'');
  }
  return {
    results: files.results.map((file) => ({ file, doc: readResults(file) })),
    compare: (files.compare ?? []).map((file) => ({ file, doc: compareView(readCompare(file)) })),
    check: (files.check ?? []).map((file) => ({ file, doc: checkView(readCheck(file)) })),
    ...(files.compat?.length ? { compat: mergeCompat(files.compat.map(readCompatInput)) } : {}),
  };
}
