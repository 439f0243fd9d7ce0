// Writing the optimize manifest: checked against schemas/optimize-manifest.schema.json, written atomically.
import { type DocumentKind, readDocument, schemaProblem, writeDocument } from '../documents/index.js';
import schema from '../../schemas/optimize-manifest.schema.json' with { type: 'json' };
import type { OptimizeManifest } from './types.js';

const MANIFEST: DocumentKind = { schema, name: 'optimize manifest', writer: 'edgeml optimize --json manifest.json' };

export function manifestProblem(doc: unknown): string | null {
  return schemaProblem(schema, doc);
}

export function writeManifest(file: string, doc: OptimizeManifest): void {
  writeDocument(file, doc, MANIFEST);
}

/** Reads and validates an optimize manifest; every problem is a UserError naming the file. */
export function readManifest(file: string): OptimizeManifest {
  return readDocument<OptimizeManifest>(file, MANIFEST);
}
