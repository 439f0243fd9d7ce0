// Changing a data branch (history, an update channel on GitHub Pages) from a checkout: each change
// is one new commit on top of the branch tip. When the push is rejected because another job pushed
// first, the change is redone from scratch on the new tip and pushed again. Nothing on the branch
// is ever rewritten, so concurrent writers never lose each other's commits.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, oneLine } from '../errors.js';

export interface BranchTarget {
  /** The repository to push from (the workflow's checkout). */
  repo: string;
  remote: string;
  branch: string;
  maxAttempts?: number;
  /** Told of each failed attempt that is retried. */
  log?: (line: string) => void;
}

export interface BranchChange<T> {
  result: T;
  /** Commit message; the commit is skipped when the change left the tree as it was. */
  message: string;
}

export interface BranchOutcome<T> {
  result: T;
  attempts: number;
  /** False when there was nothing to commit. */
  pushed: boolean;
}

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function gitOk(cwd: string, args: string[]): boolean {
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

/** A git failure worth retrying (a rejected push, a ref lock held by a concurrent job). */
class GitStepError extends Error {}

function step<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new GitStepError(oneLine(String((e as { stderr?: string }).stderr ?? '') || oneLine(e)).slice(0, 300));
  }
}

/**
 * Runs `change` in a fresh work tree of the branch tip (an empty orphan tree if the branch does not
 * exist yet), commits what it changed and pushes; a rejected push redoes it on the new tip.
 * Errors thrown by `change` itself are not retried.
 */
export async function updateBranch<T>(target: BranchTarget, change: (dir: string) => Promise<BranchChange<T>>): Promise<BranchOutcome<T>> {
  const { repo, remote, branch } = target;
  const log = target.log ?? (() => {});
  if (!gitOk(repo, ['rev-parse', '--git-dir'])) {
    throw new UserError(`${repo}: not a git repository; run this in the workflow's checkout (actions/checkout) or use a folder`);
  }
  const remoteRef = `refs/remotes/${remote}/${branch}`;
  const attempts = target.maxAttempts ?? 6;
  const who = identity(repo);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
    const dir = mkdtempSync(join(tmpdir(), 'edgeml-branch-'));
    const orphan = `edgeml-tmp-${process.pid}-${attempt}`;
    let exists = false;
    try {
      step(() => {
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
          if (!gitOk(repo, ['rev-parse', '--verify', '--quiet', 'HEAD'])) {
            throw new UserError(`${repo}: the checkout has no commit to start the new branch ${branch} from; run this in a checkout of the project (actions/checkout)`);
          }
          git(repo, ['worktree', 'add', '--quiet', '--detach', dir]);
          git(dir, ['checkout', '--quiet', '--orphan', orphan]);
          git(dir, ['rm', '-r', '-f', '--quiet', '--ignore-unmatch', '.']);
        }
      });
      const done = await change(dir);
      const pushed = step(() => {
        git(dir, ['add', '--all']);
        if (gitOk(dir, ['diff', '--cached', '--quiet'])) return false;
        git(dir, [...who, 'commit', '--quiet', '--no-verify', '-m', done.message]);
        git(dir, ['push', '--quiet', remote, `HEAD:refs/heads/${branch}`]);
        return true;
      });
      return { result: done.result, attempts: attempt, pushed };
    } catch (e) {
      if (!(e instanceof GitStepError)) throw e;
      // Most often another job pushed first (or holds a lock): redo the change on the new tip.
      lastError = e.message;
      log(`attempt ${attempt} to update ${branch} failed (${lastError}); retrying`);
    } finally {
      gitOk(repo, ['worktree', 'remove', '--force', dir]);
      rmSync(dir, { recursive: true, force: true });
      if (!exists) gitOk(repo, ['branch', '-D', orphan]);
    }
  }
  throw new UserError(`could not push to ${remote}/${branch} after ${attempts} attempts (${lastError}); check that the workflow may push (permissions: contents: write)`);
}
