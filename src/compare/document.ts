// Writing and reading compare documents: validated against schemas/compare.schema.json on the way
// out (a mismatch is a bug) and on the way in (a mismatch is the user's file).
import { type DocumentKind, readDocument, writeDocument } from '../documents/index.js';
import schema from '../../schemas/compare.schema.json' with { type: 'json' };
import type { CompareResults } from './types.js';

export { schema as compareSchema };

const COMPARE: DocumentKind = { schema, name: 'compare', writer: 'edgeml compare --json' };

export function writeCompare(file: string, doc: CompareResults): void {
  writeDocument(file, doc, COMPARE);
}

/** Reads and validates a compare document; every problem is a UserError naming the file. */
export function readCompare(file: string): CompareResults {
  return readDocument<CompareResults>(file, COMPARE);
}
