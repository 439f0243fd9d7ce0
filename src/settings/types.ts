// One setting of a command, declared once: from it come the CLI flag, the action input, the
// edgeml.yml key, the parser, the default and the reference docs (docs/development.md says how).

/** How a setting's text is read. */
export type SettingKind =
  /** Any text. */
  | 'string'
  /** A file or folder. */
  | 'path'
  /** A flag without a value; an input `true` or `false`. */
  | 'boolean'
  /** Names, comma-separated (a flag may repeat); an input comma-separated or one per line. */
  | 'list'
  /** Repeatable `name=value` entries kept whole; an input one per line. */
  | 'pairs'
  /** One of `choices`. */
  | 'enum'
  /** `10s`, `500ms`, `2m` (a bare number is seconds): milliseconds. */
  | 'duration'
  /** A whole number of at least `min` (default 0). */
  | 'count'
  /** A number within [`min`, `max`] (`above` excludes `min`). */
  | 'number'
  /** `0.97` or `97%`: a number in [0, 1]. */
  | 'fraction'
  /** `5%`: 0.05 (the sign is required). */
  | 'percent'
  /** `90` or `90%`: 90, a share of devices from 0 to 100 in percent (`whole`: whole numbers only). */
  | 'share';

export interface Setting {
  kind: SettingKind;
  /** One line of help for the flag; the input's description unless `input.description` says more. */
  help: string;
  /** The default as a user writes it (`10s`, `99.999`, `true`): the only place it is written. */
  default?: string;
  /** The flag's value placeholder (`<time>`); from the kind when absent. */
  value?: string;
  /** For `enum`. */
  choices?: readonly string[];
  /** `enum`: a choice in any case is taken (`nhwc` is `NHWC`), the value spelled as in `choices`. */
  anyCase?: boolean;
  /** Bounds for `count` and `number`. */
  min?: number;
  max?: number;
  /** `number`: `min` itself is not allowed. */
  above?: boolean;
  /** `share`: whole percentages only (a rollout's cohort). */
  whole?: boolean;
  /** The unit of the typed value (`ms`, `MiB`), for the docs. */
  unit?: string;
  /** false: no CLI flag (an action-only input such as `upload`). */
  flag?: boolean;
  /**
   * The action input: false or absent for none. `composite`: read by the composite action's own
   * steps (runtime-version), not passed to the bundle.
   */
  input?: false | { description?: string; required?: boolean; default?: string; composite?: boolean };
  /** The edgeml.yml section holding it as a key of the same name (`benchmark`, `compare`). */
  config?: string;
  /**
   * Old names that still work for one minor release, with a warning naming this one. `only`: the
   * old name was only a flag (`--data`) or only an action input (`verdicts`); absent: both.
   */
  deprecated?: ReadonlyArray<{ name: string; until: string; only?: 'flag' | 'input' }>;
}

/** A command's settings by their camelCase property (`maxDuration`); the kebab name is derived. */
export type SettingsTable = Record<string, Setting>;

/** The typed value of one setting. */
export type SettingValue<S extends Setting> = S['kind'] extends 'boolean'
  ? boolean
  : S['kind'] extends 'list' | 'pairs'
    ? string[]
    : S['kind'] extends 'duration' | 'count' | 'number' | 'fraction' | 'percent' | 'share'
      ? number
      : S extends { choices: readonly (infer C)[] }
        ? C
        : string;

/** The typed values of a table: a setting without a default may be absent. */
export type SettingValues<T extends SettingsTable> = {
  [K in keyof T]: T[K] extends { default: string } ? SettingValue<T[K]> : T[K]['kind'] extends 'boolean' | 'list' | 'pairs' ? SettingValue<T[K]> : SettingValue<T[K]> | undefined;
};

/** What the user typed or wrote, before parsing: a flag's text, an input's text, a key's value. */
export type RawValue = string | string[] | number | boolean | undefined;
