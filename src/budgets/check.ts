// The check both the CLI and the action run: read and validate every input first (nothing is
// judged on a bad config or document), then judge every budget.
import { decidingRatio, readCompare, type CompareResults } from '../compare/index.js';
import { loadConfig, type EdgemlConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { readResults, type BenchResults } from '../results/index.js';
import { checkDocument, type CheckDocument } from './document.js';
import { evaluateBudgets } from './evaluate.js';
import { judgeCompatBudgets } from './compat.js';
// document.ts, not compat/index.ts: the index brings the runtimes' operator tables into every bundle that checks budgets.
import { readInspect } from '../compat/document.js';
import type { InspectFailure, InspectOutcome } from '../compat/index.js';

export interface CheckInputs {
  config: string;
  results: string[];
  compare?: string;
  /** Why there is no compare document (for regression budgets): the caller knows, check does not. */
  noCompare?: string;
  /** Judge only this model's budgets (and those without a model). */
  model?: string;
  /** Inspect documents (edgeml inspect --json) for compat.* budgets (#22). */
  inspect?: string[];
}

export interface CheckRun {
  config: EdgemlConfig;
  doc: CheckDocument;
  /** Lines for the reader besides the table (first run, compare verdict). */
  notices: string[];
}

const hasRegressionBudget = (config: EdgemlConfig) => config.budgets.some((b) => b.limits.some((l) => l.key.startsWith('regression.')));

/**
 * Whether a comparison's verdict fails on its own: `slower`, when no regression budget judges the
 * change instead. `edgeml run` holds each target's artifacts comparison to the same rule.
 */
export function slowerFails(config: EdgemlConfig, doc: Pick<CompareResults, 'verdict'>): boolean {
  return !hasRegressionBudget(config) && doc.verdict === 'slower';
}

/** The documents one check judges, already read (`edgeml run` passes the ones it made). */
export interface CheckDocuments {
  results: Array<{ file: string; doc: BenchResults }>;
  compare?: { file: string; doc: CompareResults };
  noCompare?: string;
  model?: string;
  inspect?: Array<{ file: string; doc: InspectOutcome }>;
  /** Runtimes that could not be inspected, each with why: their compat.* budgets are not judged. */
  inspectFailed?: InspectFailure[];
}

/** Judges every budget of `config` (loaded from `configFile`) against documents in memory. */
export function checkDocuments(config: EdgemlConfig, configFile: string, d: CheckDocuments): CheckRun {
  // compat.* limits are judged from inspect documents; without one they are not-judged rows that say so.
  const checks = [...evaluateBudgets(config, d.results, d.compare, d.noCompare, d.model), ...judgeCompatBudgets(config, d.inspect ?? [], d.inspectFailed ?? [], d.model)];
  const notices: string[] = [];
  // Without a regression budget, compare's own verdict stands: slower fails the check.
  const compare = d.compare;
  const compareFails = !!compare && slowerFails(config, compare.doc);
  if (compare) {
    const r = decidingRatio(compare.doc);
    const ci = r.ci95 ? ` [${r.ci95[0].toFixed(3)}, ${r.ci95[1].toFixed(3)}]` : '';
    notices.push(`compare: ${compare.doc.verdict} (${compare.doc.metric} head/base ${r.estimate.toFixed(3)}${ci}, threshold ${(compare.doc.threshold * 100).toFixed(0)}%)${compareFails ? ': fails the check' : ''}`);
  }
  return { config, doc: checkDocument(configFile, d.results.map((r) => r.file), checks, compare, compareFails), notices };
}

export function runCheck(inputs: CheckInputs): CheckRun {
  const config = loadConfig(inputs.config);
  if (!config.budgets.length) throw new UserError(`${inputs.config}: no budgets: nothing to check; add budgets: (see docs/budgets.md)`);
  if (!inputs.results.length && !inputs.inspect?.length) throw new UserError('no results given: edgeml check --config edgeml.yml --results results.json');
  return checkDocuments(config, inputs.config, {
    results: inputs.results.map((file) => ({ file, doc: readResults(file) })),
    ...(inputs.compare ? { compare: { file: inputs.compare, doc: readCompare(inputs.compare) } } : {}),
    ...(inputs.noCompare ? { noCompare: inputs.noCompare } : {}),
    ...(inputs.model ? { model: inputs.model } : {}),
    inspect: (inputs.inspect ?? []).map((file) => ({ file, doc: readInspect(file) })),
  });
}
