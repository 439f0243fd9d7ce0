// The settings of every command, declared in one table per command (each area's settings.ts):
// the types, the parsers, and what the adapters derive from a table. A bottom-layer module: it
// imports nothing but errors and units.
export type { RawValue, Setting, SettingKind, SettingValue, SettingValues, SettingsTable } from './types.js';
export { asFlag, asInput, camel, kebab, type SettingSource } from './names.js';
export { actionInputs, configKeys, deprecatedInputs, parseSection, parseSetting, parseSettings, pick, settingDefaults, splitList } from './parse.js';
export { deprecationNotice, deprecationWarning, warnOnce } from './deprecated.js';
export { RUNTIME_SETTINGS, uploadSettings } from './common.js';
