// Action inputs read from a settings table (src/settings): the same parsers as the CLI's flags,
// so an input and its flag accept the same text and give the same typed value.
import * as core from '@actions/core';
import { actionInputs, asInput, camel, deprecationNotice, parseSettings, warnOnce, type RawValue, type SettingValues, type SettingsTable } from '../settings/index.js';

/**
 * The text of each input of `table` given (or with an action default), by property; others absent.
 * A renamed input's old name still works, with a warning once; the new name wins when both are given.
 */
export function rawInputs(table: SettingsTable): Record<string, RawValue> {
  const out: Record<string, RawValue> = {};
  for (const [name, s] of actionInputs(table)) {
    if (s.input && s.input.composite) continue;
    // An expression default (`${{ github.token }}`) is the runner's to fill in: an empty value stays empty.
    const own = s.input ? s.input.default : undefined;
    const fallback = own?.includes('${{') ? undefined : own;
    let text = core.getInput(name).trim();
    for (const d of (s.deprecated ?? []).filter((x) => x.only !== 'flag')) {
      const old = core.getInput(d.name).trim();
      if (!old) continue;
      warnOnce(deprecationNotice(`input '${d.name}'`, `input '${name}'`, d.until), (line) => core.warning(line));
      // The runner fills in the new name's action.yml default: that is not the workflow giving it.
      if (!text || text === (fallback ?? s.default)) text = old;
    }
    const value = text || fallback;
    if (value) out[camel(name)] = value;
  }
  return out;
}

/** The inputs of `table`, typed; a bad value is a UserError naming the input. */
export function readInputs<T extends SettingsTable>(table: T): SettingValues<T> {
  return parseSettings(table, rawInputs(table) as Partial<Record<keyof T, RawValue>>, asInput);
}
