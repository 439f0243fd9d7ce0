// The inspect document (edgeml inspect --json): checked against schemas/inspect.schema.json.
import schema from '../../schemas/inspect.schema.json' with { type: 'json' };
import { type DocumentKind, readDocument, writeDocument } from '../documents/index.js';
import type { InspectOutcome } from './types.js';

const INSPECT: DocumentKind = { schema, name: 'inspect', writer: 'edgeml inspect --json' };

export function writeInspect(file: string, doc: InspectOutcome): void {
  writeDocument(file, doc, INSPECT);
}

/** Reads an inspect document back (it may come from a fork's run): every problem is a UserError. */
export function readInspect(file: string): InspectOutcome {
  return readDocument<InspectOutcome>(file, INSPECT);
}
