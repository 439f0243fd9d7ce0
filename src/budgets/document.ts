// What `edgeml check --json` writes (schemas/check.schema.json): the verdict and every judged row.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { writeFileAtomic } from '../results/index.js';
import { VERSION } from '../version.js';
import schema from '../../schemas/check.schema.json' with { type: 'json' };
import type { CompareResults } from '../compare/types.js';
import type { BudgetCheck } from './types.js';

export const CHECK_SCHEMA = { name: 'edgeml-check', version: 1 } as const;

export interface CheckDocument {
  schema: typeof CHECK_SCHEMA;
  kind: 'check';
  createdAt: string;
  tool: { name: 'edgeml'; version: string };
  /** fail when a budget at level error failed (or compare said slower with no regression budget). */
  verdict: 'pass' | 'fail';
  config: string;
  results: string[];
  compare?: { file: string; verdict: CompareResults['verdict'] };
  counts: { pass: number; fail: number; inconclusive: number; skipped: number };
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
    counts: { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive'), skipped: count('skipped') },
    checks,
  };
}

let validator: ReturnType<Ajv2020['compile']> | undefined;
export function writeCheck(file: string, doc: CheckDocument): void {
  if (!validator) {
    const ajv = new Ajv2020({ strict: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    validator = ajv.compile(schema);
  }
  if (!validator(doc)) throw new Error(`internal: check document does not match its schema: ${JSON.stringify(validator.errors?.[0])}`);
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}
