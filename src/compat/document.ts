// The inspect document (edgeml inspect --json), checked against schemas/inspect.schema.json, and
// the compat document `edgeml run` writes per model (schemas/compat.schema.json), which holds one.
import schema from '../../schemas/inspect.schema.json' with { type: 'json' };
import compatSchema from '../../schemas/compat.schema.json' with { type: 'json' };
import { type DocumentKind, readDocument, writeDocument } from '../documents/index.js';
import type { CompatDocument, InspectOutcome } from './types.js';

const INSPECT: DocumentKind = { schema, name: 'inspect', writer: 'edgeml inspect --json' };
const COMPAT: DocumentKind = { schema: compatSchema, name: 'compat', writer: 'edgeml run', uses: [schema] };

export function writeInspect(file: string, doc: InspectOutcome): void {
  writeDocument(file, doc, INSPECT);
}

/** Reads an inspect document back (it may come from a fork's run): every problem is a UserError. */
export function readInspect(file: string): InspectOutcome {
  return readDocument<InspectOutcome>(file, INSPECT);
}

export function writeCompat(file: string, doc: CompatDocument): void {
  writeDocument(file, doc, COMPAT);
}

/** Reads a compat document back (it may come from a fork's run): every problem is a UserError. */
export function readCompat(file: string): CompatDocument {
  return readDocument<CompatDocument>(file, COMPAT);
}
