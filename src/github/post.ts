// Posting the report on its pull request. Which PR comes from the event (pull_request, or
// workflow_run for the fork-safe pattern); a missing token, a read-only token (fork PRs) or an API
// failure never fails the job: the report is in the job summary and a warning says how to enable
// comments.
import { context } from '@actions/github';
import { oneLine } from '../errors.js';
import { commentsApi, octokitWithRetry, pullRequestHead, tokenLogin, type PullRequestRef, type RetryPolicy } from './api.js';
import { sameLogin, upsertComment, type UpsertResult } from './comment.js';
import type { Logger } from './types.js';

/** GitHub's limit on an issue comment body, in characters. */
export const COMMENT_LIMIT = 65_536;

export const ENABLE_COMMENTS_HINT =
  "to get the comment, give the job 'permissions: pull-requests: write' (and 'issues: write'); " +
  'a pull request from a fork gets a read-only token, so post from a workflow_run workflow instead ' +
  '(see examples/workflows/ in edge-ml-actions)';

export interface PostOptions {
  token: string;
  reportId: string;
  markdown: string;
  /** A PR number given by the workflow (the workflow_run pattern reads it from an artifact). */
  prNumber?: string;
  /** The login the token writes comments as (input comment-author); by default, asked of GitHub. */
  author?: string;
  retry?: RetryPolicy;
}

interface EventPayload {
  pull_request?: { number?: number; head?: { repo?: { full_name?: string } | null }; base?: { repo?: { full_name?: string } } };
  workflow_run?: { head_sha?: string; pull_requests?: Array<{ number?: number }> };
}

/**
 * Whether this run is a pull_request run for a fork's pull request (its head in another repository,
 * or deleted): its token is read-only, and jobs on self-hosted runners are skipped by the examples.
 */
export function forkPullRequest(): boolean {
  const pr = (context.payload as EventPayload).pull_request;
  return context.eventName === 'pull_request' && !!pr && pr.head?.repo?.full_name !== pr.base?.repo?.full_name;
}

/** The URL of this run, where the job summary is. */
export function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

function repository(): { owner: string; repo: string } | null {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(process.env.GITHUB_REPOSITORY ?? '');
  return m ? { owner: m[1], repo: m[2] } : null;
}

/** A skip with `warn` is a pr-number that does not hold up: worth a warning, not a quiet line. */
type Target = { pr: PullRequestRef; verifyHead?: string } | { skip: string; warn?: true };

/** The pull request to comment on, or why there is none. */
export function pullRequestTarget(prNumber: string | undefined): Target {
  const repo = repository();
  if (!repo) return { skip: 'GITHUB_REPOSITORY is not set (not inside a workflow run)' };
  const payload = context.payload as EventPayload;
  if (prNumber) {
    if (!/^[1-9]\d{0,9}$/.test(prNumber)) return { skip: `pr-number ${JSON.stringify(prNumber.slice(0, 40))} is not a pull request number`, warn: true };
    const pr = { ...repo, number: Number(prNumber) };
    // A number read from an artifact of a fork's run is untrusted: it must name the PR whose head ran,
    // and one of the PRs GitHub names for the run when it names any (it does for the repository's own).
    const named = (payload.workflow_run?.pull_requests ?? []).map((p) => p.number).filter((n): n is number => typeof n === 'number');
    if (context.eventName === 'workflow_run' && named.length && !named.includes(pr.number)) {
      return { skip: `pr-number ${pr.number} is not a pull request of the run that triggered this one (${named.map((n) => `#${n}`).join(', ')})`, warn: true };
    }
    const headSha = payload.workflow_run?.head_sha;
    return context.eventName === 'workflow_run' && headSha ? { pr, verifyHead: headSha } : { pr };
  }
  const number = payload.pull_request?.number ?? payload.workflow_run?.pull_requests?.[0]?.number;
  if (number) return { pr: { ...repo, number } };
  if (context.eventName === 'workflow_run') {
    return { skip: 'the workflow_run event names no pull request (it does not for forks): pass pr-number, read from the artifact the pull_request workflow uploaded' };
  }
  return { skip: `the '${context.eventName || 'unknown'}' event is not about a pull request` };
}

export type PostOutcome = { posted: UpsertResult } | { skipped: string };

const status = (e: unknown) => (e as { status?: number }).status;

/** Posts or updates the sticky comment. Never throws for GitHub's answers: it warns and returns why. */
export async function postReport(opts: PostOptions, log: Logger): Promise<PostOutcome> {
  const target = pullRequestTarget(opts.prNumber);
  if ('skip' in target) {
    const line = `not commenting: ${target.skip}; the report is in the job summary`;
    if (target.warn) log.warning(line);
    else log.info(line);
    return { skipped: target.skip };
  }
  const where = `pull request #${target.pr.number}`;
  if (!opts.token) {
    const why = `no token, so no comment on ${where}`;
    log.warning(`${why}: the report is in the job summary; ${ENABLE_COMMENTS_HINT}`);
    return { skipped: why };
  }
  try {
    const octokit = octokitWithRetry(opts.token, log, opts.retry);
    if (target.verifyHead) {
      const head = await pullRequestHead(octokit, target.pr);
      if (head !== target.verifyHead) {
        const why = `${where} has head ${head.slice(0, 12)}, not ${target.verifyHead.slice(0, 12)} that the workflow ran on`;
        log.warning(`not commenting: ${why}; the report is in the job summary`);
        return { skipped: why };
      }
    }
    const author = opts.author || (await tokenLogin(octokit, opts.token));
    const posted = await upsertComment(commentsApi(octokit, target.pr), opts.reportId, opts.markdown, author);
    log.info(`${posted.action} the report comment on ${where}: ${posted.comment.html_url}`);
    if (!sameLogin(posted.author, author)) {
      log.warning(
        `the token writes comments as '${posted.author}', not '${author}'${opts.author ? " (input 'comment-author')" : ''}: ` +
        `set comment-author: ${posted.author}, so that re-runs find the report comment instead of posting a new one first`,
      );
    }
    if (posted.removed.length) log.info(`removed ${posted.removed.length} duplicate report comment(s) left by concurrent runs`);
    return { posted };
  } catch (e) {
    const code = status(e);
    const why = code === 403 || code === 404
      ? `cannot comment on ${where} (${code}: ${oneLine(e)})`
      : `could not post the report on ${where} (${code ?? 'no response'}: ${oneLine(e)})`;
    log.warning(`${why}: the report is in the job summary; ${code === 403 || code === 404 ? ENABLE_COMMENTS_HINT : 'a re-run will update the comment'}`);
    return { skipped: why };
  }
}
