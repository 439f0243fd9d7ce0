// compat.<runtime>.coverage / .coverage.compute / .partitions / .unsupported budgets of edgeml.yml,
// judged against `edgeml inspect` documents. Rows have the same shape as every other budget row,
// so `edgeml check` can list them with the rest (evaluateBudgets skips these keys).
import { outcome as budgetOutcome, modelMatches } from './evaluate.js';
import type { BudgetCheck } from './types.js';
import type { BudgetLimit, EdgemlConfig } from '../config/index.js';
import type { InspectFailure, InspectOutcome, TargetOutcome } from '../compat/index.js';

export const isCompatKey = (key: string) => key.startsWith('compat.');

function measured(t: TargetOutcome, what: string): { value: number | null; note?: string } {
  const p = t.fixed ?? t.asIs;
  const shapes = t.fixed ? 'inputs fixed' : 'shapes as declared';
  switch (what) {
    case 'coverage': return { value: p.coverage.nodePercent / 100, note: `${p.coverage.supportedNodes}/${p.coverage.nodes} nodes, ${shapes}` };
    case 'coverage.compute':
      return p.coverage.computePercent === null
        ? { value: null, note: `compute not estimated (${p.coverage.unestimatedNodes} nodes without shapes): fix the inputs with the model's input: setting` }
        : { value: p.coverage.computePercent / 100, note: shapes };
    case 'partitions': return { value: p.partitions, note: shapes };
    case 'unsupported': return { value: p.unsupported.length, note: shapes };
    default: return { value: null, note: `unknown compat measure '${what}'` };
  }
}

function judge(limit: BudgetLimit, value: number | null): BudgetCheck['status'] {
  if (value === null) return 'inconclusive';
  const ok = limit.direction === 'min' ? value >= limit.value - 1e-9 : value <= limit.value;
  return ok ? 'pass' : 'fail';
}

/**
 * One row per compat limit per inspect document its model selector matches. A document that did
 * not inspect the limit's runtime, or no document at all, is a `not judged` row that says so (failing at level error unless the budget is optional): a
 * budget nobody checked never reads as passed.
 */
export function judgeCompatBudgets(config: EdgemlConfig, docs: Array<{ file: string; doc: InspectOutcome }>, failed: InspectFailure[] = [], only?: string): BudgetCheck[] {
  const rows: BudgetCheck[] = [];
  for (const budget of config.budgets) {
    if (only !== undefined && budget.model !== undefined && budget.model !== only) continue;
    for (const limit of budget.limits.filter((l) => isCompatKey(l.key))) {
      const [, runtime, ...rest] = limit.key.split('.');
      const what = rest.join('.');
      const base = {
        budget: budget.index, key: limit.key, limit: limit.value, limitText: limit.text, direction: limit.direction, level: budget.level, at: limit.at,
        ...(budget.optional ? { optional: true } : {}), ...(budget.message ? { message: budget.message } : {}),
      };
      const matching = docs.filter((d) => modelMatches(config, budget, { name: d.doc.model.name, path: d.doc.model.path }));
      // Why a runtime could not be inspected (edgeml run): the row says so instead of "run edgeml inspect".
      const why = failed.filter((f) => f.target === runtime && modelMatches(config, budget, { name: f.model, path: config.models[f.model]?.path ?? f.model }));
      for (const f of why) {
        rows.push({ ...base, subject: `${f.model} on ${runtime}`, model: f.model, source: '', status: 'not judged', outcome: budgetOutcome('not judged', budget), value: null, note: `not inspected: ${f.reason}` });
      }
      const failedModels = new Set(why.map((f) => f.model));
      if (!matching.length && why.length) continue;
      if (!matching.length) {
        rows.push({ ...base, subject: budget.model ?? 'all models', source: '', status: 'not judged', outcome: budgetOutcome('not judged', budget), value: null, note: `no inspect document for ${budget.model ? `model ${budget.model}` : 'any model'}: run edgeml inspect --json` });
        continue;
      }
      for (const { file, doc } of matching) {
        if (failedModels.has(doc.model.name)) continue;
        const subject = `${doc.model.name} on ${runtime}`;
        const t = doc.targets.find((x) => x.target === runtime);
        if (!t) {
          rows.push({ ...base, subject, model: doc.model.name, source: file, status: 'not judged', outcome: budgetOutcome('not judged', budget), value: null, note: `${file} did not inspect ${runtime} (it has ${doc.targets.map((x) => x.target).join(', ')}): add --target ${runtime}` });
          continue;
        }
        const m = measured(t, what);
        const status = judge(limit, m.value);
        rows.push({ ...base, subject, model: doc.model.name, source: file, status, outcome: budgetOutcome(status, budget), value: m.value, ...(m.note ? { note: m.note } : {}) });
      }
    }
  }
  return rows;
}
