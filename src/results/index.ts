// The results document of `edgeml bench`: its types, its schema, and reading and writing it.
// The machinery shared by every document kind is in document.ts.
import schema from '../../schemas/results.schema.json' with { type: 'json' };
import { readDocument, writeDocument, type DocumentKind } from './document.js';
import type { BenchResults } from './types.js';

export * from './types.js';
export { checkOutputPath, readDocument, schemaProblem, writeDocument, writeFileAtomic, type DocumentKind } from './document.js';
export { schema as resultsSchema };

const RESULTS: DocumentKind = { schema, name: 'results', writer: 'edgeml bench --json' };

export function writeResults(file: string, doc: BenchResults): void {
  writeDocument(file, doc, RESULTS);
}

/** Reads and validates a results document; every problem is a UserError naming the file. */
export function readResults(file: string): BenchResults {
  return readDocument<BenchResults>(file, RESULTS);
}
