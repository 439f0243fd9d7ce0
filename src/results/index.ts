// The results document of `edgeml bench`: its types, its schema, and reading and writing it.
// The machinery shared by every document kind is in src/documents/.
import schema from '../../schemas/results.schema.json' with { type: 'json' };
import { type DocumentKind, readDocument, writeDocument } from '../documents/index.js';
import type { BenchResults } from './types.js';

export * from './types.js';
export { schema as resultsSchema };

const RESULTS: DocumentKind = { schema, name: 'results', writer: 'edgeml bench --json' };

export function writeResults(file: string, doc: BenchResults): void {
  writeDocument(file, doc, RESULTS);
}

/** Reads and validates a results document; every problem is a UserError naming the file. */
export function readResults(file: string): BenchResults {
  return readDocument<BenchResults>(file, RESULTS);
}
