// Generates the `inputs:` blocks of actions/*/action.yml (and a composite action's INPUT_* env
// and ONNX Runtime steps) from the settings tables (src/actions/tables.ts), compiled to build/.
//   npm run settings            rewrite the files (then npm run docs for docs/reference.md)
//   npm run settings -- --check write nothing; exit 1 naming each file that differs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const { ACTIONS } = await import(pathToFileURL(join(ROOT, 'build/src/actions/tables.js')).href);
const { actionFile, renderActionYml } = await import(pathToFileURL(join(ROOT, 'build/src/settings/action-yml.js')).href);

let stale = 0;
for (const spec of ACTIONS) {
  const file = join(ROOT, actionFile(spec.name));
  const text = readFileSync(file, 'utf8');
  const made = renderActionYml(text, spec);
  if (made === text) continue;
  if (check) {
    process.stderr.write(`${actionFile(spec.name)} differs from its settings table: run npm run settings\n`);
    stale++;
  } else {
    writeFileSync(file, made);
    process.stdout.write(`${actionFile(spec.name)} generated\n`);
  }
}
process.exitCode = stale ? 1 : 0;
