// The generated parts of schemas/config.schema.json, from the settings tables: the keys of a
// section whose settings are a table's config keys (benchmark:, compare:), their types, an old
// name's deprecated entry, and the `(default X)` each description states. The rest of the file is
// kept as written, line for line: `npm run settings` rewrites only the lines that differ and
// test/settings.test.ts fails when the committed schema differs from what the tables make.
import { kebab } from './names.js';
import type { Setting, SettingsTable } from './types.js';

export interface SchemaSection {
  /** The object whose `properties` are generated, from the top-level properties: `['benchmark']`, `['rollout', 'properties', 'stages', 'items']`. */
  path: string[];
  /** Its keys are this table's settings with `config: <section>` (and their old names), no more, no fewer. */
  table?: SettingsTable;
  /** The edgeml.yml section the table's settings name (`config: 'compare'`). */
  section?: string;
  /** Keys the section has besides the table's, kept as written (compare.artifacts: edgeml run's). */
  also?: string[];
  /** The default each key states, as a user writes it (a table's keys: the table's default). */
  defaults?: Record<string, string>;
  /** false: the keys state no default and carry no description of their own (benchmark:, whose defaults differ by command). */
  describe?: boolean;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A value on one line, as the hand-written schema has them: `{ "type": "integer", "minimum": 0 }`. */
export function inlineJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(inlineJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inlineJson(x)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(v);
}

/** The JSON Schema type of a setting's config value (the parsers accept what it lets through). */
function schemaType(key: string, s: Setting): Record<string, Json> {
  switch (s.kind) {
    case 'count': return { type: 'integer', minimum: s.min ?? 0 };
    case 'enum': return { enum: [...s.choices!] };
    case 'duration': return { $ref: '#/$defs/duration' };
    case 'percent': return { $ref: '#/$defs/percent' };
    case 'string': case 'path': return { type: 'string' };
    case 'boolean': return { type: 'boolean' };
    default: throw new Error(`config key ${key}: no schema type for a '${s.kind}' setting; add one in src/settings/config-schema.ts`);
  }
}

const DEFAULT = /\s*\(default [^)]*\)/;

/** A description stating `value` as its default (or none); the sentence otherwise as written. */
export function withDefault(description: string, value: string | undefined): string {
  if (value === undefined) return description.replace(DEFAULT, '');
  if (/\(default [^)]*\)/.test(description)) return description.replace(/\(default [^):;]+/, `(default ${value}`);
  return /\.$/.test(description) ? `${description.slice(0, -1)} (default ${value}).` : `${description} (default ${value})`;
}

/** The flag's help as a sentence: 'timed queries at least' is 'Timed queries at least.' */
const sentence = (help: string) => `${help.charAt(0).toUpperCase()}${help.slice(1)}${/[.!?]$/.test(help) ? '' : '.'}`;

interface Block { start: number; end: number; indent: string }

/** The lines of the object that `path` names (each key `"name": {` on a line of its own). */
function findBlock(lines: string[], path: string[], file: string): Block {
  let start = 0;
  let end = lines.length - 1;
  let indent = '';
  for (const name of ['properties', ...path, 'properties']) {
    const want = `${indent}  "${name}": {`;
    const at = lines.findIndex((l, i) => i > start && i < end && l === want);
    if (at < 0) throw new Error(`${file}: no line ${JSON.stringify(want.trim())} at ${path.join('.')}; keep each key of a generated section on its own line`);
    indent += '  ';
    const close = lines.findIndex((l, i) => i > at && (l === `${indent}}` || l === `${indent}},`));
    start = at;
    end = close;
  }
  return { start, end, indent };
}

/** The schema text with the generated parts of `sections` made from their tables. */
export function renderConfigSchema(text: string, sections: SchemaSection[], file = 'schemas/config.schema.json'): string {
  const lines = text.split('\n');
  for (const section of sections) {
    const { start, end, indent } = findBlock(lines, section.path, file);
    const keyIndent = `${indent}  `;
    // Each key as written: one line `"key": { ... }` (parsed), or a block of lines kept whole.
    let written: Array<{ key: string; value?: Record<string, Json>; lines: string[] }> = [];
    for (let i = start + 1; i < end; i++) {
      const m = new RegExp(`^${keyIndent}"([^"]+)": (.*?),?$`).exec(lines[i]);
      if (!m) throw new Error(`${file}:${i + 1}: expected a key of ${section.path.join('.')} at this indent`);
      if (m[2].endsWith('{') && !m[2].endsWith('}')) {
        const close = lines.findIndex((l, j) => j > i && (l === `${keyIndent}}` || l === `${keyIndent}},`));
        written.push({ key: m[1], lines: lines.slice(i, close + 1) });
        i = close;
      } else {
        written.push({ key: m[1], value: JSON.parse(m[2]) as Record<string, Json>, lines: [lines[i]] });
      }
    }
    const describe = section.describe !== false;
    const defaults: Record<string, string | undefined> = { ...section.defaults };
    const made = new Map<string, Record<string, Json>>();
    if (section.table) {
      for (const [prop, s] of Object.entries(section.table)) {
        if (s.config !== section.section) continue;
        const key = kebab(prop);
        const was = written.find((w) => w.key === key)?.value?.description;
        made.set(key, { ...schemaType(key, s), ...(describe ? { description: typeof was === 'string' ? was : sentence(s.help) } : {}) });
        if (s.default !== undefined) defaults[key] = s.default;
        for (const d of s.deprecated ?? []) {
          if (d.only) continue;
          made.set(d.name, { ...schemaType(key, s), deprecated: true, description: `Deprecated (goes in ${d.until}): the old name of ${key}.` });
        }
      }
      // A hand-written key the table does not have goes; one it has that the file lacks comes.
      written = written.filter((w) => made.has(w.key) || (section.also ?? []).includes(w.key));
      // A new key follows the one before it in the table (an old name follows its new one).
      let at = 0;
      for (const key of made.keys()) {
        const i = written.findIndex((w) => w.key === key);
        if (i >= 0) at = i + 1;
        else written.splice(at++, 0, { key, lines: [] });
      }
    }
    const out = written.map((w, i) => {
      const comma = i < written.length - 1 ? ',' : '';
      const value = made.get(w.key) ?? w.value;
      if (!value) return [...w.lines.slice(0, -1), `${w.lines.at(-1)!.replace(/,$/, '')}${comma}`];
      if (typeof value.description === 'string' && (w.key in defaults || !describe)) value.description = withDefault(value.description, describe ? defaults[w.key] : undefined);
      return [`${keyIndent}${JSON.stringify(w.key)}: ${inlineJson(value)}${comma}`];
    });
    lines.splice(start + 1, end - start - 1, ...out.flat());
  }
  return lines.join('\n');
}
