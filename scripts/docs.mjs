// Generates the reference tables of docs/reference.md between marker comments:
//   <!-- edgeml:action-inputs NAME --> ... <!-- /edgeml:action-inputs -->
//     inputs and outputs of an action: NAME `root` is ./action.yml, any other ./actions/NAME/action.yml
//   <!-- edgeml:config-reference --> ... <!-- /edgeml:config-reference -->
//     the keys of edgeml.yml, walked from schemas/config.schema.json
//
//   node scripts/docs.mjs [--file FILE]           rewrite the blocks (npm run docs)
//   node scripts/docs.mjs --check [--file FILE]   write nothing; exit 1 naming each stale block
// FILE defaults to docs/reference.md (--readme is the old name of --file).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import { parse } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function usage(message) {
  process.stderr.write(`docs.mjs: ${message}\nusage: node scripts/docs.mjs [--check] [--file FILE]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let check = false;
let readmePath = join(ROOT, 'docs/reference.md');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--check') check = true;
  else if (args[i] === '--file' || args[i] === '--readme') {
    if (!args[i + 1]) usage(`${args[i]} needs a file`);
    readmePath = args[++i];
  } else usage(`unknown argument ${args[i]}`);
}

/** A table cell: one line, `|` escaped. */
function cell(value) {
  return String(value ?? '').trim().replace(/\r?\n/g, '<br>').replace(/\|/g, '\\|');
}

/** A value in a code span (backticks in it get a longer fence). */
function code(value) {
  const text = String(value);
  if (text === '') return '';
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Prose from a description: `<` and `&` escaped outside code spans, so GitHub does not take <device> for HTML. */
function text(value) {
  return String(value ?? '')
    .split(/(`+[^`]*?`+)/)
    .map((part, i) => (i % 2 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

function table(header, rows) {
  return markdownTable([header, ...rows.map((r) => r.map(cell))], {
    align: header.map(() => 'l'),
    alignDelimiters: false,
  });
}

// ---- actions ----

function actionFiles() {
  const files = new Map([['root', join(ROOT, 'action.yml')]]);
  for (const name of readdirSync(join(ROOT, 'actions')).sort()) {
    const file = join(ROOT, 'actions', name, 'action.yml');
    if (existsSync(file)) files.set(name, file);
  }
  return files;
}

function actionBlock(file) {
  const action = parse(readFileSync(file, 'utf8'));
  const inputs = Object.entries(action.inputs ?? {});
  const outputs = Object.entries(action.outputs ?? {});
  const parts = [];
  parts.push(
    inputs.length === 0
      ? 'No inputs.'
      : table(
          ['input', 'required', 'default', 'description'],
          inputs.map(([name, spec]) => [
            code(name),
            spec?.required === true || spec?.required === 'true' ? 'yes' : 'no',
            spec?.default === undefined ? '' : code(spec.default),
            text(spec?.description),
          ]),
        ),
  );
  parts.push(
    outputs.length === 0
      ? 'No outputs.'
      : table(['output', 'description'], outputs.map(([name, spec]) => [code(name), text(spec?.description)])),
  );
  return parts.join('\n\n');
}

// ---- config schema ----

function resolveRef(schema, ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node = schema;
  for (const part of ref.slice(2).split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node;
}

function typeOf(node) {
  if (node.type !== undefined) return [].concat(node.type).join(' or ');
  const values = node.enum ?? (node.const !== undefined ? [node.const] : undefined);
  const kind = (v) => (v === null ? 'null' : Number.isInteger(v) ? 'integer' : Array.isArray(v) ? 'array' : typeof v);
  if (values) return [...new Set(values.map(kind))].join(' or ');
  return '';
}

/** `<name>` for a pattern, keeping a literal prefix: ^accuracy\.[A-Za-z0-9_]+$ is accuracy.<name>. */
function patternKey(pattern) {
  const m = /^\^((?:[A-Za-z0-9_-]|\\\.)+)\\\.\[[^\]]+\][+*]\$$/.exec(pattern);
  return m ? `${m[1].replace(/\\\./g, '.')}.<name>` : '<name>';
}

function configRows(schema) {
  const rows = [];
  const visit = (node, seen) => {
    // Follow $ref; the referring node's keywords (description) win over the target's.
    let type = '';
    while (node.$ref) {
      if (seen.has(node.$ref)) return { node, type: `${type}(recursive ${node.$ref})` };
      seen = new Set(seen).add(node.$ref);
      const target = resolveRef(schema, node.$ref);
      const defName = node.$ref.split('/').pop();
      const { $ref, ...own } = node;
      node = { ...target, ...own };
      type ||= defName;
      if (!target.$ref) break;
    }
    return { node, type, seen };
  };
  const walk = (raw, path, seen) => {
    const { node, type: defName, seen: seen2 } = visit(raw, seen);
    if (!seen2) {
      rows.push([code(path), defName, text(raw.description), '']);
      return;
    }
    let type = typeOf(node);
    if (type === 'array' && node.items) {
      const item = visit(node.items, seen2).node;
      const itemType = typeOf(item);
      if (itemType) type = `array of ${itemType}`;
    }
    if (defName) type = type ? `${type} (${defName})` : defName;
    const allowed = [];
    if (node.const !== undefined) allowed.push(`always ${code(JSON.stringify(node.const))}`);
    if (node.enum) allowed.push(`one of ${node.enum.map((v) => code(JSON.stringify(v).replace(/^"|"$/g, ''))).join(', ')}`);
    if (node.default !== undefined) allowed.push(`default ${code(JSON.stringify(node.default))}`);
    if (node.minimum !== undefined) allowed.push(`minimum ${node.minimum}`);
    if (node.required?.length) allowed.push(`requires ${node.required.map(code).join(', ')}`);
    if (node.items && typeof node.items === 'object') {
      const item = visit(node.items, seen2).node;
      if (item.required?.length) allowed.push(`each requires ${item.required.map(code).join(', ')}`);
    }
    if (path) rows.push([code(path), type, text(node.description), allowed.join('; ')]);
    const join = (key) => (path ? `${path}.${key}` : key);
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, join(key), seen2);
    for (const [pattern, child] of Object.entries(node.patternProperties ?? {})) walk(child, join(patternKey(pattern)), seen2);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      walk(node.additionalProperties, join('<name>'), seen2);
    }
    if (node.items && typeof node.items === 'object') {
      const item = visit(node.items, seen2).node;
      if (item.properties || item.patternProperties || typeof item.additionalProperties === 'object') {
        // The array row already names the item type; walk into the item's keys.
        const sub = (k, child) => walk(child, `${path}[].${k}`, seen2);
        for (const [key, child] of Object.entries(item.properties ?? {})) sub(key, child);
        for (const [pattern, child] of Object.entries(item.patternProperties ?? {})) sub(patternKey(pattern), child);
        if (item.additionalProperties && typeof item.additionalProperties === 'object') sub('<name>', item.additionalProperties);
      }
    }
  };
  walk(schema, '', new Set());
  return rows;
}

function configBlock() {
  const file = join(ROOT, 'schemas/config.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  const rows = configRows(schema);
  return [
    // The link is relative to docs/, where the reference page lives.
    `Generated from [\`${relative(ROOT, file)}\`](${relative(join(ROOT, 'docs'), file).split('\\').join('/')}). \`<name>\` is a name you choose; \`[]\` is each entry of a list.`,
    table(['key', 'type', 'description', 'values'], rows),
  ].join('\n\n');
}

// ---- the reference page ----

const BLOCK = /<!-- edgeml:(action-inputs|config-reference)(?: ([A-Za-z0-9._-]+))? -->\n[\s\S]*?<!-- \/edgeml:\1 -->/g;

const readme = readFileSync(readmePath, 'utf8');
const actions = actionFiles();
const found = new Set();
const stale = [];
const problems = [];
const updated = readme.replace(BLOCK, (whole, kind, name) => {
  const label = name ? `${kind} ${name}` : kind;
  let body;
  if (kind === 'config-reference') body = configBlock();
  else if (!name || !actions.has(name)) {
    problems.push(`${label}: no such action (known: ${[...actions.keys()].join(', ')})`);
    return whole;
  } else body = actionBlock(actions.get(name));
  if (found.has(label)) problems.push(`${label}: block appears twice`);
  found.add(label);
  const next = `<!-- edgeml:${kind}${name ? ` ${name}` : ''} -->\n\n${body}\n\n<!-- /edgeml:${kind} -->`;
  if (next !== whole) stale.push(label);
  return next;
});
for (const name of actions.keys()) {
  if (!found.has(`action-inputs ${name}`)) problems.push(`action-inputs ${name}: missing block <!-- edgeml:action-inputs ${name} --> ... <!-- /edgeml:action-inputs -->`);
}
if (!found.has('config-reference')) problems.push('config-reference: missing block <!-- edgeml:config-reference --> ... <!-- /edgeml:config-reference -->');

if (problems.length) {
  for (const p of problems) process.stderr.write(`${readmePath}: ${p}\n`);
}
if (check) {
  if (stale.length) {
    process.stderr.write(`${readmePath}: stale: ${stale.join(', ')}; run npm run docs\n`);
  }
  process.exit(stale.length || problems.length ? 1 : 0);
}
if (updated !== readme) writeFileSync(readmePath, updated);
process.stdout.write(stale.length ? `${readmePath}: updated ${stale.join(', ')}\n` : `${readmePath}: up to date\n`);
process.exit(problems.length ? 1 : 0);
