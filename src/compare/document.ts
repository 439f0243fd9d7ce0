// Writing and reading compare documents: validated against schemas/compare.schema.json on the way
// out (a mismatch is a bug) and on the way in (a mismatch is the user's file).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { UserError, oneLine } from '../errors.js';
import { resultsSchema, writeFileAtomic } from '../results/index.js';
import schema from '../../schemas/compare.schema.json' with { type: 'json' };
import type { CompareResults } from './types.js';

export { schema as compareSchema };

let validator: ReturnType<Ajv2020['compile']> | undefined;
function validate(doc: unknown): string | null {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: false, strict: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema(resultsSchema);
    validator = ajv.compile(schema);
  }
  if (validator(doc)) return null;
  const err = validator.errors?.[0];
  return err ? `${err.instancePath || '/'} ${err.message}` : 'invalid';
}

export function writeCompare(file: string, doc: CompareResults): void {
  const problem = validate(doc);
  if (problem) throw new Error(`internal: compare document does not match its schema: ${problem}`);
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}

/** Reads and validates a compare document; every problem is a UserError naming the file. */
export function readCompare(file: string): CompareResults {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such compare file' : `cannot read it (${code})`}; give the file written by 'edgeml compare --json'`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not JSON (${oneLine(e)}); give the file written by 'edgeml compare --json'`);
  }
  const problem = validate(doc);
  if (problem) throw new UserError(`${file}: not an edgeml compare document (${problem}); regenerate it with 'edgeml compare --json'`);
  return doc as CompareResults;
}
