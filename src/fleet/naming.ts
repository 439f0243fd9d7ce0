// How a release operation's messages name what the user set: the CLI's flags (`--version 1.4.0`,
// `pass --force`) or the publish action's inputs (`input 'version' "1.4.0"`, `set force: true`).
// The caller passes one with its request, so the same check speaks the caller's language.
import type { FleetNaming } from './types.js';

/** The CLI's flags: the default of every operation. */
export const FLAG_NAMING: FleetNaming = {
  given: (s, v) => `--${s} ${v}`,
  name: (s) => `--${s}`,
  force: 'pass --force',
  forced: '--force',
};
