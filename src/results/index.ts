// Reading, validating and writing results documents. Written atomically (temp file + rename) so
// a failed run never leaves a half-written file; read back as untrusted input.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { UserError, oneLine } from '../errors.js';
import schema from '../../schemas/results.schema.json' with { type: 'json' };
import type { BenchResults } from './types.js';

export * from './types.js';
export { schema as resultsSchema };

/** One Ajv for every schema of this repo, so documents can $ref each other. */
const ajv = new Ajv2020({ allErrors: false, strict: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(schema);

/**
 * Checks `doc` against a JSON Schema of this repo (added on first use); returns the first
 * problem as `path message`, or null when the document is valid.
 */
export function schemaProblem(schemaObject: { $id: string }, doc: unknown): string | null {
  if (!ajv.getSchema(schemaObject.$id)) ajv.addSchema(schemaObject);
  const check = ajv.getSchema(schemaObject.$id)!;
  if (check(doc)) return null;
  const err = check.errors?.[0];
  return err ? `${err.instancePath || '/'} ${err.message}` : 'invalid';
}

const validate = (doc: unknown) => schemaProblem(schema, doc);

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

export function writeResults(file: string, doc: BenchResults): void {
  const problem = validate(doc);
  if (problem) throw new Error(`internal: results document does not match its schema: ${problem}`);
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}

/** Reads and validates a results document; every problem is a UserError naming the file. */
export function readResults(file: string): BenchResults {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such results file' : `cannot read it (${code})`}; give the file written by 'edgeml bench --json'`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not JSON (${oneLine(e)}); give the file written by 'edgeml bench --json'`);
  }
  const problem = validate(doc);
  if (problem) throw new UserError(`${file}: not an edgeml results document (${problem}); regenerate it with 'edgeml bench --json'`);
  return doc as BenchResults;
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
