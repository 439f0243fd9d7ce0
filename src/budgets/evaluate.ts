// Budgets against measurements: each limit of each budget, for each results document its
// selectors match, becomes one judged row. Latency limits are judged with the percentile's interval.
import { basename, dirname, resolve } from 'node:path';
import type { CompareResults } from '../compare/index.js';
import type { Budget, BudgetLimit, EdgemlConfig } from '../config/index.js';
import type { BenchResults } from '../results/index.js';
import { quantileCI, sortedCopy } from '../stats/index.js';
import type { BudgetCheck, BudgetStatus, Outcome } from './types.js';

/** `jetson-*` as a whole-string, case-sensitive match. */
export function globMatch(glob: string, text: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(text);
}

/**
 * Whether a result is of the budget's model. `edgeml run` names each result (source and every
 * artifact) after its model; a result from `edgeml bench` carries the measured file's path, and
 * results from another machine carry its absolute path: the file name decides then.
 */
export function modelMatches(config: EdgemlConfig, budget: Pick<Budget, 'model'>, model: { name: string; path: string }): boolean {
  if (budget.model === undefined) return true;
  if (model.name === budget.model) return true;
  const entry = config.models[budget.model];
  const configured = resolve(dirname(config.file), entry.path);
  return resolve(model.path) === configured || basename(model.path) === basename(entry.path);
}

/** The target a result measured: `source` for the source model. */
export const targetOfResult = (doc: BenchResults): string => doc.target ?? 'source';

function selects(config: EdgemlConfig, budget: Budget, doc: BenchResults): boolean {
  if (!modelMatches(config, budget, doc.model)) return false;
  if (budget.target !== undefined && budget.target !== targetOfResult(doc)) return false;
  if (budget.device !== undefined) {
    const labels = [doc.device.label, ...(doc.device.runner?.labels ?? [])];
    if (!labels.some((l) => globMatch(budget.device as string, l))) return false;
  }
  return true;
}

interface Judged {
  status: BudgetStatus;
  value: number | null;
  interval?: [number, number] | null;
  note?: string;
}

const NOT_REPORTED: Judged = { status: 'not judged', value: null, note: "not judged: the metric is not reported by the runtime's benchmark tool" };

function byPoint(value: number | null, limit: BudgetLimit): Judged {
  if (value === null) return NOT_REPORTED;
  const ok = limit.direction === 'max' ? value <= limit.value : value >= limit.value;
  return { status: ok ? 'pass' : 'fail', value };
}

/** Pass when the whole interval is within the limit, fail when all of it is beyond, else inconclusive. */
function byInterval(value: number, ci: [number, number] | null, limit: BudgetLimit, tooFew: string): Judged {
  if (!ci) return { status: 'inconclusive', value, interval: null, note: tooFew };
  const [lo, hi] = ci;
  if (hi < limit.value) return { status: 'pass', value, interval: ci };
  if (lo > limit.value) return { status: 'fail', value, interval: ci };
  return { status: 'inconclusive', value, interval: ci, note: 'the 95% interval straddles the limit: measure longer (--min-duration) to decide' };
}

function latency(doc: BenchResults, p: 'p50' | 'p90' | 'p99', limit: BudgetLimit): Judged {
  const value = doc.latencyMs[p];
  if (value === null) return NOT_REPORTED;
  let ci: [number, number] | null = null;
  if (doc.samplesMs?.length) {
    const c = quantileCI(sortedCopy(doc.samplesMs), Number(p.slice(1)) / 100);
    ci = c ? [c.lo, c.hi] : null;
  } else if (p !== 'p99') ci = doc.latencyCi95Ms[p];
  const sufficient = p === 'p50' || doc.percentileSufficient[p];
  const need = p === 'p50' ? '' : ` (MLPerf early stopping needs ${doc.earlyStopping[p].minQueries})`;
  if (!sufficient) return { status: 'inconclusive', value, interval: ci, note: `${doc.iterations} queries are too few for ${p}${need}: raise --min-iterations` };
  if (p === 'p99' && !ci) {
    return { status: 'inconclusive', value, interval: null, note: 'no interval for p99 without the raw samples: benchmark with --samples' };
  }
  return byInterval(value, ci, limit, `${doc.iterations} queries are too few for a 95% interval of ${p}: raise --min-iterations`);
}

const EVALUATE = 'evaluate the model into this results document first (edgeml eval --results)';

/** accuracy.<metric> from `accuracy`, fidelity.<metric> from `fidelity`: what `edgeml eval --results` merged in. */
function scored(doc: BenchResults, key: string, limit: BudgetLimit): Judged {
  const kind = key.slice(0, key.indexOf('.')) as 'accuracy' | 'fidelity';
  const metric = key.slice(key.indexOf('.') + 1);
  const section = doc[kind];
  if (!section) {
    const why = kind === 'accuracy' ? 'no dataset with labels was evaluated on this model' : doc.target === undefined ? 'fidelity is measured on artifacts against their source, not on the source' : 'no dataset was evaluated on this artifact';
    return { status: 'not judged', value: null, note: `not judged: ${why} (add a dataset under datasets: naming this model, or ${EVALUATE})` };
  }
  const known = Object.keys(section).filter((k) => !['dataset', 'reference', 'samples'].includes(k));
  if (!known.includes(metric)) return { status: 'not judged', value: null, note: `not judged: no ${key} in the results (it holds ${known.map((k) => `${kind}.${k}`).join(', ')}): ${EVALUATE} with --metric ${metric}` };
  const value = (section as unknown as Record<string, number | null>)[metric];
  if (value === null && metric === 'maxAbsError') return { status: 'fail', value: null, note: 'an output was NaN or infinite' };
  if (value === null) return { status: 'not judged', value: null, note: `not judged: ${key} does not apply, the outputs are not [N, classes] scores` };
  return byPoint(value, limit);
}

function judgeResults(limit: BudgetLimit, doc: BenchResults): Judged {
  const k = limit.key;
  if (k === 'latency.p50' || k === 'latency.p90' || k === 'latency.p99') return latency(doc, k.slice(8) as 'p50', limit);
  if (k === 'throughput') return byPoint(doc.throughputPerSec, limit);
  if (k === 'memory.peak') return byPoint(doc.memory.peakRssBytes, limit);
  if (k === 'size') return byPoint(doc.model.bytes, limit);
  return scored(doc, k, limit);
}

function judgeRegression(limit: BudgetLimit, cmp: CompareResults | undefined, noCompare: string): Judged {
  if (!cmp) return { status: 'not judged', value: null, note: `not judged: ${noCompare}` };
  const r = cmp.ratio[limit.key.endsWith('p90') ? 'p90' : 'p50'];
  const change = r.estimate - 1;
  const ci: [number, number] | null = r.ci95 ? [r.ci95[0] - 1, r.ci95[1] - 1] : null;
  const judged = byInterval(change, ci, limit, `${cmp.rounds} rounds are too few for an interval: raise compare's --max-duration`);
  return { ...judged, ...(cmp.differentDevice ? { note: `${judged.note ? `${judged.note}; ` : ''}base from another device (--allow-different-device)` } : {}) };
}

export function outcome(status: BudgetStatus, budget: Budget): Outcome {
  if (status === 'pass') return 'ok';
  if (status === 'fail') return budget.level === 'error' ? 'failure' : 'warning';
  // Nothing to judge is never a pass: it fails at level error unless the budget is optional.
  if (status === 'not judged') return budget.optional ? 'notice' : budget.level === 'error' ? 'failure' : 'warning';
  // Inconclusive: as configured, but never worse than the budget's level.
  if (budget.inconclusive === 'pass') return 'ok';
  return budget.inconclusive === 'error' && budget.level === 'error' ? 'failure' : 'warning';
}

export function evaluateBudgets(
  config: EdgemlConfig,
  results: Array<{ file: string; doc: BenchResults }>,
  compare?: { file: string; doc: CompareResults },
  /** Why there is no comparison, for regression limits without one. */
  noCompare = 'no compare document given: give --compare with the file written by edgeml compare --json',
  /** Only the budgets of this model (and those without a model): `edgeml run` checks model by model. */
  only?: string,
): BudgetCheck[] {
  const rows: BudgetCheck[] = [];
  for (const budget of config.budgets) {
    if (only !== undefined && budget.model !== undefined && budget.model !== only) continue;
    for (const limit of budget.limits) {
      if (limit.key.startsWith('compat.')) continue; // judged from inspect documents by judgeCompatBudgets (src/budgets/compat.ts)
      const base = { budget: budget.index, key: limit.key, limit: limit.value, limitText: limit.text, direction: limit.direction, level: budget.level, at: limit.at,
        ...(budget.optional ? { optional: true } : {}), ...(budget.message ? { message: budget.message } : {}),
      };
      const push = (j: Judged, subject: string, source: string, on: { model?: string; target?: string; device?: string } = {}) => {
        rows.push({
          ...base, subject, source, ...on, status: j.status, outcome: outcome(j.status, budget), value: j.value,
          ...(j.interval !== undefined ? { interval: j.interval } : {}), ...(j.note ? { note: j.note } : {}),
        });
      };
      if (limit.key.startsWith('regression.')) {
        const head = compare?.doc.head.model;
        if (compare && head && !modelMatches(config, budget, head)) continue;
        const target = compare?.doc.target ?? budget.target ?? 'source';
        push(
          judgeRegression(limit, compare?.doc, noCompare),
          compare ? `${compare.doc.head.model.name} vs ${compare.doc.base.model.name}` : `${budget.model ?? 'all models'} ${target}`,
          compare?.file ?? '',
          compare ? { model: compare.doc.head.model.name, target, device: compare.doc.device.label } : { ...(budget.model ? { model: budget.model } : {}), target },
        );
        continue;
      }
      const matching = results.filter((r) => selects(config, budget, r.doc));
      if (!matching.length) {
        const sel = [budget.model && `model ${budget.model}`, budget.target && `target ${budget.target}`, budget.device && `device ${budget.device}`].filter(Boolean).join(', ');
        const on = { ...(budget.model ? { model: budget.model } : {}), ...(budget.target ? { target: budget.target } : {}) };
        push({ status: 'not judged', value: null, note: `not judged: no results for ${sel || 'this budget'}` }, [budget.model ?? 'any model', budget.target, budget.device].filter(Boolean).join(' '), '', on);
        continue;
      }
      for (const r of matching) {
        const target = targetOfResult(r.doc);
        push(judgeResults(limit, r.doc), `${r.doc.model.name} ${target} on ${r.doc.device.label}`, r.file, { model: r.doc.model.name, target, device: r.doc.device.label });
      }
    }
  }
  return rows;
}
