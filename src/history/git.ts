// The history on a git branch (default edgeml-data), served by GitHub Pages with its dashboard.
// Each append is one new commit on top of the branch tip; when another job pushed first, the
// append is redone on the new tip and pushed again. Nothing on the branch is ever rewritten.
import { UserError } from '../errors.js';
import { git, gitOk, updateBranch } from '../git/index.js';
import type { HistoryEntry } from './types.js';
import { appendEntry, describeAppend, type AppendStatus } from './store.js';

export interface BranchOptions {
  /** The repository to push from (the workflow's checkout). */
  repo: string;
  remote: string;
  branch: string;
  /** Run in the branch's work tree after the entry is added (e.g. rebuild the dashboard). */
  afterAppend?: (dir: string) => void;
  maxAttempts?: number;
  log?: (line: string) => void;
}

export async function appendToBranch(entry: HistoryEntry, opts: BranchOptions): Promise<{ status: AppendStatus; path: string; attempts: number }> {
  const log = opts.log ?? (() => {});
  if (!gitOk(opts.repo, ['rev-parse', '--git-dir'])) {
    throw new UserError(`${opts.repo}: not a git repository; run this in the workflow's checkout or use --data-dir DIR`);
  }
  const out = await updateBranch({ repo: opts.repo, remote: opts.remote, branch: opts.branch, maxAttempts: opts.maxAttempts, log }, async (dir) => {
    const added = appendEntry(dir, entry);
    if (added.status === 'added') opts.afterAppend?.(dir);
    return { result: added, message: `edgeml: results of ${entry.commit.slice(0, 12)} on ${entry.device.label}` };
  });
  const { status, path } = out.result;
  log(status === 'added' ? `pushed ${path} to ${opts.branch}${out.attempts > 1 ? ` (attempt ${out.attempts})` : ''}` : describeAppend(status, `${opts.branch}:${path}`));
  return { status, path, attempts: out.attempts };
}

export interface CommitContext {
  commit: string;
  ref: string;
  timestamp: string;
  url?: string;
}

/** The commit being recorded: from the Actions environment, else from the checkout in `repo`. */
export function commitContext(repo: string, commit?: string): CommitContext {
  const sha = commit || process.env.GITHUB_SHA || (gitOk(repo, ['rev-parse', 'HEAD']) ? git(repo, ['rev-parse', 'HEAD']) : '');
  if (!sha) throw new UserError(`${repo}: no commit to record; give --commit SHA or run inside a git checkout`);
  const ref = process.env.GITHUB_REF_NAME || (gitOk(repo, ['symbolic-ref', '--short', 'HEAD']) ? git(repo, ['symbolic-ref', '--short', 'HEAD']) : 'detached');
  let timestamp = new Date().toISOString();
  if (gitOk(repo, ['cat-file', '-e', `${sha}^{commit}`])) timestamp = git(repo, ['show', '-s', '--format=%cI', sha]);
  const server = process.env.GITHUB_SERVER_URL;
  const repository = process.env.GITHUB_REPOSITORY;
  const url = server?.startsWith('https://') && repository && /^[\w.-]+\/[\w.-]+$/.test(repository) ? `${server}/${repository}/commit/${sha}` : undefined;
  return { commit: sha, ref, timestamp, ...(url ? { url } : {}) };
}
