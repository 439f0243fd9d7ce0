// The history on a git branch (default edgeml-data), served by GitHub Pages with its dashboard.
// Each append is one new commit on top of the branch tip; when another job pushed first, the
// append is redone on the new tip and pushed again. Nothing on the branch is ever rewritten.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import type { HistoryEntry } from './entry.js';
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

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function gitOk(cwd: string, args: string[]): boolean {
  try {
    git(cwd, args);
    return true;
  } catch {
    return false;
  }
}

// Inside Actions nobody has configured an identity: commit as the Actions bot.
function identity(repo: string): string[] {
  if (gitOk(repo, ['config', 'user.email'])) return [];
  return ['-c', 'user.name=github-actions[bot]', '-c', 'user.email=41898282+github-actions[bot]@users.noreply.github.com'];
}

export async function appendToBranch(entry: HistoryEntry, opts: BranchOptions): Promise<{ status: AppendStatus; path: string; attempts: number }> {
  const { repo, remote, branch } = opts;
  const log = opts.log ?? (() => {});
  if (!gitOk(repo, ['rev-parse', '--git-dir'])) {
    throw new UserError(`${repo}: not a git repository; run this in the workflow's checkout or use --data DIR`);
  }
  const remoteRef = `refs/remotes/${remote}/${branch}`;
  const attempts = opts.maxAttempts ?? 6;
  const who = identity(repo);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
    const dir = mkdtempSync(join(tmpdir(), 'edgeml-history-'));
    const orphan = `edgeml-tmp-${process.pid}-${attempt}`;
    let exists = false;
    try {
      // ls-remote tells a missing branch (exit 2) from a failed fetch (anything else: retry).
      try {
        git(repo, ['ls-remote', '--exit-code', '--heads', remote, branch]);
        exists = true;
      } catch (e) {
        if ((e as { status?: number }).status !== 2) throw e;
      }
      if (exists) {
        git(repo, ['fetch', '--quiet', remote, `+refs/heads/${branch}:${remoteRef}`]);
        git(repo, ['worktree', 'add', '--quiet', '--detach', dir, remoteRef]);
      } else {
        // First append: an orphan branch holding only history.
        git(repo, ['worktree', 'add', '--quiet', '--detach', dir]);
        git(dir, ['checkout', '--quiet', '--orphan', orphan]);
        git(dir, ['rm', '-r', '-f', '--quiet', '--ignore-unmatch', '.']);
      }
      const added = appendEntry(dir, entry);
      if (added.status !== 'added') {
        log(describeAppend(added.status, `${branch}:${added.path}`));
        return { ...added, attempts: attempt };
      }
      opts.afterAppend?.(dir);
      git(dir, ['add', '--all']);
      git(dir, [...who, 'commit', '--quiet', '--no-verify', '-m', `edgeml: results of ${entry.commit.slice(0, 12)} on ${entry.device.label}`]);
      git(dir, ['push', '--quiet', remote, `HEAD:refs/heads/${branch}`]);
      log(`pushed ${added.path} to ${branch}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      return { ...added, attempts: attempt };
    } catch (e) {
      if (e instanceof UserError) throw e;
      // Most often another job pushed first (or holds a lock): redo the append on the new tip.
      const stderr = String((e as { stderr?: string }).stderr ?? '') || oneLine(e);
      lastError = oneLine(stderr).slice(0, 300);
      log(`attempt ${attempt} to append to ${branch} failed (${lastError}); retrying`);
    } finally {
      gitOk(repo, ['worktree', 'remove', '--force', dir]);
      rmSync(dir, { recursive: true, force: true });
      if (!exists) gitOk(repo, ['branch', '-D', orphan]);
    }
  }
  throw new UserError(`could not push to ${remote}/${branch} after ${attempts} attempts (${lastError}); check that the workflow may push (permissions: contents: write)`);
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
