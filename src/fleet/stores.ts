// Where a channel operation runs: a local folder, or a git branch (the one GitHub Pages serves).
// On a branch every operation (publish, promote, rollback, refresh) runs in a fresh work tree of
// the branch tip through a LocalDirStorage, is committed and pushed; a rejected push (another job
// published first) redoes the whole operation on the new tip, so it builds on what that job
// published instead of overwriting it.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { UserError } from '../errors.js';
import { updateBranch } from '../git/index.js';
import { LocalDirStorage, type ChannelStorage } from './storage.js';

export type StoreSpec =
  | { kind: 'dir'; dir: string }
  /** `dir` is the channel's folder inside the branch ('' for its top, what Pages serves). */
  | { kind: 'git'; branch: string; remote: string; checkout: string; dir: string };

const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

/**
 * `--store dir` (the default) with `--repo DIR`, or `--store git:BRANCH` (the checkout in
 * `checkout`, pushing to `remote`), where `--repo` is an optional folder inside the branch.
 */
export function parseStore(store: string | undefined, repo: string | undefined, opts: { remote?: string; checkout?: string; flag?: string; repoFlag?: string } = {}): StoreSpec {
  const flag = opts.flag ?? '--store';
  const repoFlag = opts.repoFlag ?? '--repo';
  const value = store || 'dir';
  if (value === 'dir') {
    if (!repo) throw new UserError(`${repoFlag} is required: the folder that holds (or will hold) the channel, or use ${flag} git:gh-pages`);
    if (existsSync(repo) && !statSync(repo).isDirectory()) throw new UserError(`${repoFlag} ${repo}: is a file; give a folder`);
    return { kind: 'dir', dir: repo };
  }
  if (value.startsWith('git:')) {
    const branch = value.slice(4);
    if (!BRANCH.test(branch)) throw new UserError(`${flag} ${JSON.stringify(value)}: not a branch name; use git:BRANCH such as git:gh-pages`);
    const dir = normalize(repo || '.').replace(/\/$/, '');
    if (dir.startsWith('..') || dir.startsWith('/')) throw new UserError(`${repoFlag} ${repo}: with ${flag} git: it is a folder inside the branch; give a relative path such as channel`);
    return { kind: 'git', branch, remote: opts.remote || 'origin', checkout: opts.checkout || '.', dir: dir === '.' ? '' : dir };
  }
  throw new UserError(`${flag} ${JSON.stringify(value)}: unknown store; use dir (with ${repoFlag} DIR) or git:BRANCH such as git:gh-pages`);
}

export function describeStore(spec: StoreSpec): string {
  return spec.kind === 'dir' ? spec.dir : `${spec.remote}/${spec.branch}${spec.dir ? `:${spec.dir}` : ''}`;
}

/**
 * Runs a channel operation on the store. On a branch, `message` names the commit; an operation
 * that changed nothing (the same release published twice) makes no commit.
 */
export async function onStore<T>(
  spec: StoreSpec, fn: (storage: ChannelStorage) => Promise<T>, message: (result: T) => string, log?: (line: string) => void,
): Promise<T> {
  if (spec.kind === 'dir') return fn(new LocalDirStorage(spec.dir));
  const out = await updateBranch({ repo: spec.checkout, remote: spec.remote, branch: spec.branch, log }, async (tree) => {
    // A new Pages branch: without .nojekyll, Pages would run Jekyll over the channel's files.
    if (readdirSync(tree).filter((f) => f !== '.git').length === 0) writeFileSync(join(tree, '.nojekyll'), '');
    const storage = new LocalDirStorage(spec.dir ? join(tree, spec.dir) : tree);
    const result = await fn(storage);
    return { result, message: message(result) };
  });
  return out.result;
}
