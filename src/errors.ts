/**
 * The one way an entry point learns its exit status from a thrown error: 1 for a failed verdict
 * (`CheckFailure`), 2 for input the user can fix (`UserError`). The CLI exits with `exitCode`, an
 * action calls setFailed with the one-line message; anything else that escapes is a bug (exit 3,
 * with its stack). Recognised by class (`instanceof`), never by `name`.
 */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
  }
}

/**
 * An error the user can fix: a missing file, a bad flag, a model that rejects its input.
 * Entry points print only its message (one line, no stack) and exit with status 2.
 */
export class UserError extends ExitError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The message of anything thrown, as one line. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The work was done but its verdict is a failure (a budget broken, an artifact below its fidelity
 * floor, a release refused for a failed check): entry points print the message and exit with status 1.
 */
export class CheckFailure extends ExitError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'CheckFailure';
  }
}

/**
 * How a message names a setting: by its flag (`--threads`), or, when the value came from
 * edgeml.yml, by its key there with the place it is written (`edgeml.yml:7:12: benchmark.threads`),
 * so the user fixes the right one. `at` is that `file:line:col: ` prefix (empty for a flag).
 */
export interface SettingNames {
  key(flag: string): string;
  at(flag: string): string;
}

/** Every setting named by its flag: values typed on the command line or defaults. */
export const FLAG_NAMES: SettingNames = { key: (flag) => flag, at: () => '' };

/** Every setting named as the action input it came from (`input 'min-duration'`). */
export const INPUT_NAMES: SettingNames = { key: (flag) => `input '${flag.replace(/^--/, '')}'`, at: () => '' };

/** `file:line:col: key`, or the flag: for a message about one setting. */
export function settingName(names: SettingNames, flag: string): string {
  return `${names.at(flag)}${names.key(flag)}`;
}
