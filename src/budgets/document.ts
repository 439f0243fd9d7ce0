// What `edgeml check --json` writes (schemas/check.schema.json): the verdict and every judged row.
import { type DocumentKind, readDocument, writeDocument } from '../documents/index.js';
import { VERSION } from '../version.js';
import schema from '../../schemas/check.schema.json' with { type: 'json' };
import type { CompareResults } from '../compare/index.js';
import type { BudgetCheck } from './types.js';

export const CHECK_SCHEMA = { name: 'edgeml-check', version: 1 } as const;

export interface CheckDocument {
  schema: typeof CHECK_SCHEMA;
  kind: 'check';
  createdAt: string;
  tool: { name: 'edgeml'; version: string };
  /** fail when a row's outcome is failure (a failed or not judged budget at level error), or compare said slower with no regression budget. */
  verdict: 'pass' | 'fail';
  config: string;
  results: string[];
  compare?: { file: string; verdict: CompareResults['verdict'] };
  /** Rows by status; `notJudged` rows had nothing to judge (see each row's note). */
  counts: { pass: number; fail: number; inconclusive: number; notJudged: number };
  checks: BudgetCheck[];
}

export function checkDocument(config: string, results: string[], checks: BudgetCheck[], compare?: { file: string; doc: CompareResults }, compareFails = false): CheckDocument {
  const count = (s: BudgetCheck['status']) => checks.filter((c) => c.status === s).length;
  return {
    schema: CHECK_SCHEMA,
    kind: 'check',
    createdAt: new Date().toISOString(),
    tool: { name: 'edgeml', version: VERSION },
    verdict: checks.some((c) => c.outcome === 'failure') || compareFails ? 'fail' : 'pass',
    config,
    results,
    ...(compare ? { compare: { file: compare.file, verdict: compare.doc.verdict } } : {}),
    counts: { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive'), notJudged: count('not judged') },
    checks,
  };
}

const CHECK: DocumentKind = { schema, name: 'check', writer: 'edgeml check --json' };

export function writeCheck(file: string, doc: CheckDocument): void {
  writeDocument(file, doc, CHECK);
}

/** Reads and validates a check document; every problem is a UserError naming the file. */
export function readCheck(file: string): CheckDocument {
  return readDocument<CheckDocument>(file, CHECK);
}
