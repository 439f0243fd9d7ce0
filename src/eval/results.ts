// `edgeml eval --results R.json`: the accuracy and fidelity of a model merged into the bench results
// document of the same model file, where budgets `accuracy.<metric>` and `fidelity.<metric>` read them.
import { UserError } from '../errors.js';
import { sha256File } from '../model/index.js';
import { fidelityRecord } from '../tensors/index.js';
import { readResults, writeResults, type AccuracyResults, type BenchResults, type FidelityResults } from '../results/index.js';
import type { EvalResults } from './types.js';

const short = (sha: string) => sha.slice(0, 12);

/**
 * Reads and validates the results document before a long evaluation, and refuses it when it
 * measured another model file than the one to evaluate.
 */
export async function openResultsFor(file: string, model: string): Promise<BenchResults> {
  const doc = readResults(file);
  let sha: string;
  try {
    sha = await sha256File(model);
  } catch {
    return doc; // the model's own check names the problem
  }
  refuseOtherModel(file, doc, model, sha);
  return doc;
}

function refuseOtherModel(file: string, doc: BenchResults, model: string, sha256: string): void {
  if (doc.model.sha256 === sha256) return;
  throw new UserError(
    `--results ${file}: measured ${doc.model.name} (sha256 ${short(doc.model.sha256)}), not ${model} (sha256 ${short(sha256)}); give the results of 'edgeml bench' on the same model file`,
  );
}

const sameData = (a: AccuracyResults['dataset'], b: AccuracyResults['dataset']) => a.sha256 === b.sha256 && a.labels?.sha256 === b.labels?.sha256;

/**
 * The results document with this evaluation in it. Metrics measured on the same data as before are
 * added to the earlier ones; on other data they replace them (one dataset per document).
 */
export function mergeEval(file: string, doc: BenchResults, ev: EvalResults): BenchResults {
  refuseOtherModel(file, doc, ev.model.path, ev.model.sha256);
  const out: BenchResults = { ...doc };
  if (Object.keys(ev.metrics).length) {
    const earlier = doc.accuracy && sameData(doc.accuracy.dataset, ev.dataset) ? doc.accuracy : undefined;
    out.accuracy = { ...earlier, ...ev.metrics, dataset: ev.dataset };
  }
  if (ev.fidelity && ev.reference) {
    const fidelity: FidelityResults = { ...fidelityRecord(ev.fidelity), reference: ev.reference };
    out.fidelity = fidelity;
  }
  return out;
}

/** Merges and writes atomically: the document is whole before and after, never half-written. */
export function writeEvalInto(file: string, doc: BenchResults, ev: EvalResults): BenchResults {
  const merged = mergeEval(file, doc, ev);
  writeResults(file, merged);
  return merged;
}
