// Every JSON document edgeml writes and reads back (results, compare, check, optimize manifest,
// history entries): validated against its schema on the way out (a mismatch is a bug) and on the
// way in (a mismatch is the user's file: it may come from a fork), written atomically.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { UserError, oneLine } from '../errors.js';
import resultsSchema from '../../schemas/results.schema.json' with { type: 'json' };
import type { DocumentKind } from './types.js';

export type { DocumentKind } from './types.js';

/**
 * One Ajv for every schema of this repo, so documents can $ref each other. Made on first use:
 * adding a schema compiles the draft 2020-12 meta-schema, a fifth of the CLI's start-up time, which
 * `--help`, `--version` and commands that read no document should not pay.
 */
let shared: Ajv2020 | undefined;
function schemas(): Ajv2020 {
  if (shared) return shared;
  // strictRequired off: if/then branches may require properties their parent declares.
  const ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  // Other schemas $ref the results schema.
  ajv.addSchema(resultsSchema);
  return (shared = ajv);
}

/**
 * Checks `doc` against a JSON Schema of this repo (added on first use); returns the first
 * problem as `path message`, or null when the document is valid.
 */
export function schemaProblem(schemaObject: { $id: string }, doc: unknown, uses: Array<{ $id: string }> = []): string | null {
  const ajv = schemas();
  // The schemas it $refs first: a schema compiles only once every schema it refers to is known.
  for (const s of uses) if (!ajv.getSchema(s.$id)) ajv.addSchema(s);
  if (!ajv.getSchema(schemaObject.$id)) ajv.addSchema(schemaObject);
  const check = ajv.getSchema(schemaObject.$id)!;
  if (check(doc)) return null;
  const err = check.errors?.[0];
  return err ? `${err.instancePath || '/'} ${err.message}` : 'invalid';
}

/** Writes text to `file` via a temporary sibling and a rename: readers see all of it or none. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot write it (${code ?? oneLine(e)}); check that its folder exists and is writable`);
  }
}

export function writeDocument(file: string, doc: unknown, kind: DocumentKind): void {
  const problem = schemaProblem(kind.schema, doc, kind.uses);
  if (problem) throw new Error(`internal: ${kind.name} document does not match its schema: ${problem}`);
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}

/** Reads and validates a document; every problem is one UserError naming the file and the fix. */
export function readDocument<T>(file: string, kind: DocumentKind): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? `no such ${kind.name} file` : `cannot read it (${code})`}; give the file written by '${kind.writer}'`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not JSON (${oneLine(e)}); give the file written by '${kind.writer}'`);
  }
  const problem = schemaProblem(kind.schema, doc, kind.uses);
  if (problem) throw new UserError(`${file}: not an edgeml ${kind.name} document (${problem}); regenerate it with '${kind.writer}'`);
  return doc as T;
}

/** Fails before a long measurement, not after it, when the results file cannot be written. */
export function checkOutputPath(file: string, flag: string): void {
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`${flag} ${file}: the folder ${dir} does not exist; create it first`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new UserError(`${flag} ${file}: is a directory; give a file name such as results.json`);
  }
}
