// How a release operation's messages name what the user set: the CLI's flags (`--version 1.4.0`,
// `pass --force`) or the publish action's inputs (`input 'version' "1.4.0"`, `set force: true`).
// The caller passes one with its request, so the same check speaks the caller's language.

/** The settings the release operations' messages name. */
export type FleetSetting = 'version' | 'rollout' | 'channel' | 'model' | 'manifest' | 'artifacts' | 'results' | 'data';

export interface FleetNaming {
  /** The setting with the value given: `--version 1.4.0`, `input 'version' "1.4.0"`. */
  given(setting: FleetSetting, value: string | number): string;
  /** The setting alone, in a hint: `--model`, `input 'model'`. */
  name(setting: FleetSetting): string;
  /** How to go on anyway, before "to publish ...": `pass --force`, `set force: true`. */
  force: string;
}

/** The CLI's flags: the default of every operation. */
export const FLAG_NAMING: FleetNaming = {
  given: (s, v) => `--${s} ${v}`,
  name: (s) => `--${s}`,
  force: 'pass --force',
};
