// Generates the `inputs:` blocks of actions/*/action.yml (and a composite action's INPUT_* env
// and ONNX Runtime steps), and schemas/config.schema.json's table-backed keys and stated defaults,
// from the settings tables (src/actions/tables.ts), compiled to build/.
//   npm run settings            rewrite the files (then npm run docs for docs/reference.md)
//   npm run settings -- --check write nothing; exit 1 naming each file that differs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const { ACTIONS, CONFIG_SECTIONS } = await import(pathToFileURL(join(ROOT, 'build/src/actions/tables.js')).href);
const { actionFile, renderActionYml } = await import(pathToFileURL(join(ROOT, 'build/src/settings/action-yml.js')).href);
const { renderConfigSchema } = await import(pathToFileURL(join(ROOT, 'build/src/settings/config-schema.js')).href);

let stale = 0;
/** Writes `name` when `render` changes it (or, with --check, names it). */
function generate(name, render, what) {
  const file = join(ROOT, name);
  const text = readFileSync(file, 'utf8');
  const made = render(text);
  if (made === text) return;
  if (check) {
    process.stderr.write(`${name} differs from ${what}: run npm run settings\n`);
    stale++;
  } else {
    writeFileSync(file, made);
    process.stdout.write(`${name} generated\n`);
  }
}
for (const spec of ACTIONS) generate(actionFile(spec.name), (text) => renderActionYml(text, spec), 'its settings table');
generate('schemas/config.schema.json', (text) => renderConfigSchema(text, CONFIG_SECTIONS), 'the settings tables');
process.exitCode = stale ? 1 : 0;
