// The base model of a pull request: read from the base commit (`git show <ref>:<path>`) or from a
// folder holding the base's files at the paths the config names. A model the base does not have
// yet (added by this PR) has no base: it is measured, not compared.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { rejectLfsPointer, rejectLfsPointerFile } from '../model/index.js';

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

/** The base version of one model: a file, bytes read from git, or why there is none. */
export type BaseModel = { file: string } | { bytes: Buffer; name: string } | { none: string };

/**
 * Reads the base version of one model (`path`: its absolute path in this checkout), refusing a
 * Git LFS pointer. Writes nothing, so every base can be read before anything is measured.
 */
export function readBaseModel(base: BaseSource, configDir: string, path: string): BaseModel {
  if (!base) return { none: 'no base given' };
  const rel = relative(configDir, path);
  if ('dir' in base) {
    const file = resolve(base.dir, rel);
    if (!existsSync(file)) return { none: `${rel} is not in ${base.dir} (a new model?)` };
    rejectLfsPointerFile(file, `--base-model ${base.dir}: ${rel}`);
    return { file };
  }
  let bytes: Buffer;
  try {
    // cat-file --filters runs the checkout's filters (git lfs smudge) where `git show` would not.
    bytes = git(dirname(path), ['cat-file', '--filters', `${base.ref}:./${basename(path)}`]);
  } catch (e) {
    const msg = oneLine((e as { stderr?: Buffer }).stderr?.toString() ?? e);
    if (/does not exist|exists on disk, but not in/.test(msg)) return { none: `${rel} is not in ${base.ref} (a new model?)` };
    throw new UserError(`--base-ref ${base.ref}: cannot read ${rel} from it (${msg})`);
  }
  rejectLfsPointer(bytes, `--base-ref ${base.ref}: ${rel}`);
  return { bytes, name: basename(path) };
}

/** The base model as a file: bytes read from git are written into `out`. */
export function baseModelFile(read: BaseModel, out: string): { file: string } | { none: string } {
  if (!('bytes' in read)) return read;
  const file = join(out, read.name);
  mkdirSync(out, { recursive: true });
  writeFileSync(file, read.bytes);
  return { file };
}
