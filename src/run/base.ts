// The base model of a pull request: read from the base commit (`git show <ref>:<path>`) or from a
// folder holding the base's files at the paths the config names. A model the base does not have
// yet (added by this PR) has no base: it is measured, not compared.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UserError, oneLine } from '../errors.js';

export type BaseSource = { ref: string } | { dir: string } | undefined;

function git(cwd: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', cwd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 4 << 30 });
}

/** Fails early, before any measurement, when the base cannot be read. */
export function checkBase(base: BaseSource, configDir: string): void {
  if (!base) return;
  if ('dir' in base) {
    if (!existsSync(base.dir) || !statSync(base.dir).isDirectory()) {
      throw new UserError(`--base-model ${base.dir}: no such folder; give a folder holding the base version of the models (a checkout of the base commit)`);
    }
    return;
  }
  const has = () => {
    try {
      git(configDir, ['rev-parse', '--verify', '--quiet', `${base.ref}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return;
  // A shallow checkout (actions/checkout's default) lacks the base commit: fetch just that one.
  try {
    git(configDir, ['fetch', '--no-tags', '--depth=1', 'origin', base.ref]);
  } catch {
    /* reported below */
  }
  if (!has()) {
    throw new UserError(
      `--base-ref ${base.ref}: no such commit in the git repository at ${configDir}; fetch it (actions/checkout with fetch-depth: 0) or leave --base-ref out to measure without a comparison`,
    );
  }
}

/**
 * The base version of one model as a file, or why there is none. `path` is the model's absolute
 * path in this checkout; `out` is where a file read from git is written.
 */
export function baseModelFile(base: BaseSource, configDir: string, path: string, out: string): { file: string } | { none: string } {
  if (!base) return { none: 'no base given' };
  const rel = relative(configDir, path);
  if ('dir' in base) {
    const file = resolve(base.dir, rel);
    return existsSync(file) ? { file } : { none: `${rel} is not in ${base.dir} (a new model?)` };
  }
  let bytes: Buffer;
  try {
    bytes = git(dirname(path), ['show', `${base.ref}:./${basename(path)}`]);
  } catch (e) {
    const msg = oneLine((e as { stderr?: Buffer }).stderr?.toString() ?? e);
    if (/does not exist|exists on disk, but not in/.test(msg)) return { none: `${rel} is not in ${base.ref} (a new model?)` };
    throw new UserError(`--base-ref ${base.ref}: cannot read ${rel} from it (${msg})`);
  }
  const file = join(out, basename(path));
  mkdirSync(out, { recursive: true });
  writeFileSync(file, bytes);
  return { file };
}
