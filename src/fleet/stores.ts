// Where a channel operation runs: a local folder, a git branch (the one GitHub Pages serves), or
// the assets of a GitHub release (ReleaseAssetStorage, under its own lock).
// On a branch every operation (publish, promote, rollback, refresh) runs in a fresh work tree of
// the branch tip through a LocalDirStorage, is committed and pushed; a rejected push (another job
// published first) redoes the whole operation on the new tip, so it builds on what that job
// published instead of overwriting it.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { UserError } from '../errors.js';
import { updateBranch } from '../git/index.js';
import { ReleaseAssetStorage } from './release-assets.js';
import { LocalDirStorage } from './storage.js';
import type { ReleaseAssetsApi, ReleaseLocation, StoreSpec } from './store-types.js';
import type { ChannelStorage } from './types.js';

const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;
// A tag without '/': it is one path segment of the download URL devices use.
const TAG = /^(?![.-])(?!.*\.\.)[A-Za-z0-9._-]{1,100}$/;

/** `OWNER/REPO`, as in GITHUB_REPOSITORY. */
export function parseRepository(value: string | undefined, flag: string): { owner: string; repo: string } {
  if (!value) throw new UserError(`${flag} is required with --store release:TAG: the repository as OWNER/REPO (inside Actions, GITHUB_REPOSITORY)`);
  const m = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/.exec(value);
  if (!m) throw new UserError(`${flag} ${JSON.stringify(value)}: not OWNER/REPO; give it like octo-org/models`);
  return { owner: m[1], repo: m[2] };
}

/** Where devices download a release store's files: github.com (or GITHUB_SERVER_URL) release downloads. */
export function releaseDownloadUrl(where: ReleaseLocation, serverUrl = process.env.GITHUB_SERVER_URL || 'https://github.com'): string {
  return `${serverUrl.replace(/\/+$/, '')}/${where.owner}/${where.repo}/releases/download/${where.tag}`;
}

/**
 * `--store dir` (the default) with `--repo DIR`; `--store git:BRANCH` (the checkout in
 * `checkout`, pushing to `remote`), where `--repo` is an optional folder inside the branch; or
 * `--store release:TAG`, the assets of that release of `repository` (OWNER/REPO).
 */
export function parseStore(
  store: string | undefined, repo: string | undefined,
  opts: { remote?: string; checkout?: string; repository?: string; flag?: string; repoFlag?: string; repositoryFlag?: string } = {},
): StoreSpec {
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
  if (value.startsWith('release:')) {
    const tag = value.slice('release:'.length);
    if (!TAG.test(tag)) throw new UserError(`${flag} ${JSON.stringify(value)}: not a usable tag; use release:TAG with letters, digits, '.', '_' or '-', such as release:edgeml-channel`);
    if (repo) throw new UserError(`${repoFlag} ${repo}: a release store has no folders; leave ${repoFlag} out with ${flag} ${value}`);
    return { kind: 'release', tag, ...parseRepository(opts.repository, opts.repositoryFlag ?? '--github-repo') };
  }
  throw new UserError(`${flag} ${JSON.stringify(value)}: unknown store; use dir (with ${repoFlag} DIR), git:BRANCH such as git:gh-pages, or release:TAG`);
}

export function describeStore(spec: StoreSpec): string {
  if (spec.kind === 'release') return `${spec.owner}/${spec.repo} release ${spec.tag}`;
  return spec.kind === 'dir' ? spec.dir : `${spec.remote}/${spec.branch}${spec.dir ? `:${spec.dir}` : ''}`;
}

/**
 * Runs a channel operation on the store. On a branch, `message` names the commit; an operation
 * that changed nothing (the same release published twice) makes no commit.
 */
export async function onStore<T>(
  spec: StoreSpec, fn: (storage: ChannelStorage) => Promise<T>, message: (result: T) => string, log?: (line: string) => void,
  releaseApi?: ReleaseAssetsApi,
): Promise<T> {
  if (spec.kind === 'dir') return fn(new LocalDirStorage(spec.dir));
  if (spec.kind === 'release') {
    if (!releaseApi) throw new Error('internal: a release store needs the GitHub API');
    return fn(new ReleaseAssetStorage(releaseApi, { log }));
  }
  const out = await updateBranch({ repo: spec.checkout, remote: spec.remote, branch: spec.branch, log }, async (tree) => {
    // A new Pages branch: without .nojekyll, Pages would run Jekyll over the channel's files.
    if (readdirSync(tree).filter((f) => f !== '.git').length === 0) writeFileSync(join(tree, '.nojekyll'), '');
    const storage = new LocalDirStorage(spec.dir ? join(tree, spec.dir) : tree, undefined, describeStore(spec));
    const result = await fn(storage);
    return { result, message: message(result) };
  });
  return out.result;
}
