// Action inputs read from a settings table (src/settings): the same parsers as the CLI's flags,
// so an input and its flag accept the same text and give the same typed value.
import * as core from '@actions/core';
import { actionInputs, asInput, camel, parseSettings, type RawValue, type SettingValues, type SettingsTable } from '../settings/index.js';

/** The text of each input of `table` given (or with an action default), by property; others absent. */
export function rawInputs(table: SettingsTable): Record<string, RawValue> {
  const out: Record<string, RawValue> = {};
  for (const [name, s] of actionInputs(table)) {
    if (s.input && s.input.composite) continue;
    const text = core.getInput(name).trim();
    const value = text || (s.input ? s.input.default : undefined);
    if (value) out[camel(name)] = value;
  }
  return out;
}

/** The inputs of `table`, typed; a bad value is a UserError naming the input. */
export function readInputs<T extends SettingsTable>(table: T): SettingValues<T> {
  return parseSettings(table, rawInputs(table) as Partial<Record<keyof T, RawValue>>, asInput);
}
