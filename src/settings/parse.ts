// Settings parsed once into typed values, whichever door they came in by (flag, input, key).
import { UserError } from '../errors.js';
import { parseDuration, parseFraction, parsePercent, parseShare, parseWhole } from '../units.js';
import { camel, kebab, type SettingSource } from './names.js';
import type { RawValue, Setting, SettingValues, SettingsTable } from './types.js';

/** Comma- or newline-separated entries, trimmed, empty ones dropped. */
export function splitList(text: string): string[] {
  return text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

const BOOLEAN: Record<string, boolean> = { true: true, yes: true, on: true, 1: true, false: false, no: false, off: false, 0: false };

function numberIn(s: Setting, text: string, what: string): number {
  const v = /^\s*-?\d+(?:\.\d+)?(?:e-?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  const min = s.min ?? -Infinity;
  const max = s.max ?? Infinity;
  const ok = Number.isFinite(v) && (s.above ? v > min : v >= min) && v <= max;
  if (!ok) {
    const range = s.min !== undefined && s.max !== undefined ? `between ${s.min} and ${s.max}` : s.min !== undefined ? `${s.above ? '>' : '>='} ${s.min}` : `<= ${s.max}`;
    throw new UserError(`${what} ${JSON.stringify(text)}: expected a number ${range}${s.default ? `, e.g. ${s.default}` : ''}`);
  }
  return v;
}

/**
 * One setting's text (or a config value: numbers and booleans are taken as written) to its typed
 * value; `what` names where it came from. A bad value is a UserError naming it and saying what fits.
 */
export function parseSetting(s: Setting, raw: RawValue, what: string): unknown {
  if (s.kind === 'list' || s.kind === 'pairs') {
    const items = raw === undefined ? [] : Array.isArray(raw) ? raw.flatMap((r) => (s.kind === 'list' ? splitList(r) : [r.trim()])) : splitList(String(raw));
    return items.filter(Boolean);
  }
  if (Array.isArray(raw)) throw new UserError(`${what}: give one value, not a list`);
  if (s.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const v = BOOLEAN[String(raw).trim().toLowerCase()];
    if (v === undefined) throw new UserError(`${what} ${JSON.stringify(raw)}: expected true or false`);
    return v;
  }
  const text = String(raw).trim();
  switch (s.kind) {
    case 'string':
    case 'path':
      return text;
    case 'enum': {
      const hit = s.choices?.find((c) => c === text || (s.anyCase === true && c.toLowerCase() === text.toLowerCase()));
      if (hit === undefined) throw new UserError(`${what} ${JSON.stringify(text)}: expected one of ${s.choices?.join(', ')}`);
      return hit;
    }
    case 'duration':
      return parseDuration(text, what);
    case 'count':
      return parseWhole(text, what, s.min ?? 0);
    case 'number':
      return numberIn(s, text, what);
    case 'fraction':
      return parseFraction(text, what);
    case 'percent':
      return parsePercent(text, what);
    case 'share':
      return parseShare(text, what, s.whole === true);
  }
}

/**
 * A table's raw values (by property; undefined or '' for not given) to typed values: the default
 * where nothing was given, absent where there is none. `source` names each setting in messages.
 */
export function parseSettings<T extends SettingsTable>(table: T, raw: Partial<Record<keyof T, RawValue>>, source: SettingSource): SettingValues<T> {
  const out: Record<string, unknown> = {};
  for (const [prop, s] of Object.entries(table)) {
    const given = raw[prop as keyof T];
    const empty = given === undefined || given === '' || (Array.isArray(given) && !given.length);
    const value = empty ? s.default : given;
    if (value === undefined) {
      if (s.kind === 'list' || s.kind === 'pairs') out[prop] = [];
      else if (s.kind === 'boolean') out[prop] = false;
      continue;
    }
    out[prop] = parseSetting(s, value, source(kebab(prop)));
  }
  return out as SettingValues<T>;
}

/**
 * The keys of one edgeml.yml section (`benchmark`, `compare`) as typed values of `table`, by
 * property: the typed path from the config to a command's options, with no trip through flag text.
 * Only the keys written are returned (merge them over the command's defaults or flags); a key that
 * is not a setting of the section, or a bad value, is a UserError naming `at(key)` (the
 * `file:line:col: ` where it is written) and the dotted key.
 */
export function parseSection<T extends SettingsTable>(
  table: T, section: string, values: Record<string, RawValue>, at: (dottedKey: string) => string = () => '',
): Partial<SettingValues<T>> {
  const byName = new Map(configKeys(table, section).map(([name, s]) => [name, s]));
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    const key = `${section}.${name}`;
    const s = byName.get(name);
    if (!s) throw new UserError(`${at(key)}${key}: not a setting of ${section}:; use one of ${[...byName.keys()].join(', ')}`);
    out[camel(name)] = parseSetting(s, raw, `${at(key)}${key}`);
  }
  return out as Partial<SettingValues<T>>;
}

/** The typed defaults of a table (what a command does with nothing given). */
export function settingDefaults<T extends SettingsTable>(table: T): SettingValues<T> {
  return parseSettings(table, {}, (name) => `default of ${name}`);
}

/** The settings of a table that are action inputs, by input name. */
export function actionInputs(table: SettingsTable): Array<[string, Setting]> {
  return Object.entries(table).filter(([, s]) => s.input).map(([prop, s]) => [kebab(prop), s]);
}

/** The old names of a table's action inputs (renamed, still read with a warning): old, new name, release that drops it. */
export function deprecatedInputs(table: SettingsTable): Array<{ old: string; now: string; until: string }> {
  return actionInputs(table).flatMap(([now, s]) => (s.deprecated ?? []).filter((d) => d.only !== 'flag').map((d) => ({ old: d.name, now, until: d.until })));
}

/** The settings of a table that are keys of the edgeml.yml section `section`. */
export function configKeys(table: SettingsTable, section: string): Array<[string, Setting]> {
  return Object.entries(table).filter(([, s]) => s.config === section).map(([prop, s]) => [kebab(prop), s]);
}

/** Picks some settings of a table (to share them between commands) with changes. */
export function pick<T extends SettingsTable, K extends keyof T>(table: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, table[k]])) as Pick<T, K>;
}
