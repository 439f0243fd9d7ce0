// Writing the optimize manifest: checked against schemas/optimize-manifest.schema.json, written atomically.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { writeFileAtomic } from '../results/index.js';
import schema from '../../schemas/optimize-manifest.schema.json' with { type: 'json' };
import type { OptimizeManifest } from './index.js';

let validator: ReturnType<Ajv2020['compile']> | undefined;

export function manifestProblem(doc: unknown): string | null {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    validator = ajv.compile(schema);
  }
  if (validator(doc)) return null;
  const err = validator.errors?.[0];
  return err ? `${err.instancePath || '/'} ${err.message}` : 'invalid';
}

export function writeManifest(file: string, doc: OptimizeManifest): void {
  const problem = manifestProblem(doc);
  if (problem) throw new Error(`internal: optimize manifest does not match its schema: ${problem}`);
  writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}
