// Octokit for the report: issue comments of one pull request, with retries on server errors and
// rate limits (primary: x-ratelimit-remaining 0; secondary: 403/429 with retry-after or the
// "secondary rate limit" message), following GitHub's guidance on waiting.
import type { CommentsApi, IssueComment } from './comment.js';
import { newOctokit, type Octokit } from './octokit.js';
import type { Logger } from './types.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff on a server error; doubled each time. */
  baseMs: number;
  /** Longest wait we accept for a rate limit; longer means give up now. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseMs: 1000, maxWaitMs: 120_000 };

interface HttpError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** How long to wait before retrying `e` (attempt 0 is the first retry), or null to give up. */
export function retryDelay(e: unknown, attempt: number, policy: RetryPolicy = DEFAULT_RETRY, now = Date.now()): number | null {
  if (attempt >= policy.retries) return null;
  const err = e as HttpError;
  const status = err.status;
  const headers = err.response?.headers ?? {};
  const header = (name: string) => (headers[name] === undefined ? undefined : Number(headers[name]));
  const within = (ms: number) => (ms <= policy.maxWaitMs ? Math.max(0, ms) : null);
  if (status === 403 || status === 429) {
    const retryAfter = header('retry-after');
    if (retryAfter !== undefined && Number.isFinite(retryAfter)) return within(retryAfter * 1000);
    const reset = header('x-ratelimit-reset');
    if (header('x-ratelimit-remaining') === 0 && reset !== undefined) return within(reset * 1000 - now + 1000);
    // A secondary limit without a header: GitHub asks for at least a minute.
    if (status === 429 || /secondary rate limit/i.test(err.message ?? '')) return within(60_000 * 2 ** attempt);
    return null;
  }
  // Server errors and lost connections (no status) are worth another try; client errors are not.
  if (status === undefined || status >= 500) return policy.baseMs * 2 ** attempt;
  return null;
}

export type { Octokit } from './octokit.js';

export function octokitWithRetry(token: string, log: Logger, policy: RetryPolicy = DEFAULT_RETRY): Octokit {
  const octokit = newOctokit(token);
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (e) {
        const wait = retryDelay(e, attempt, policy);
        if (wait === null) throw e;
        const status = (e as HttpError).status ?? 'no response';
        const route = String(options.url).replace(/^https?:\/\/[^/]+/, '').replace(/(\?|\{\?).*$/, '');
        log.info(`GitHub API ${options.method} ${route}: ${status}; retrying in ${(wait / 1000).toFixed(1)} s`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  });
  return octokit;
}

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

interface ApiComment {
  id: number;
  body?: string | null;
  html_url: string;
  user: { login: string; type: string } | null;
}

const slim = (c: ApiComment): IssueComment => ({
  id: c.id, body: c.body, html_url: c.html_url, user: c.user ? { login: c.user.login, type: c.user.type } : null,
});

/** Who the workflow's GITHUB_TOKEN writes as. */
export const ACTIONS_LOGIN = 'github-actions[bot]';

/**
 * The login the token writes comments as, as far as GitHub says before we write one. An
 * installation token (prefix `ghs_`: the workflow's GITHUB_TOKEN, or a GitHub App's) may not call
 * GET /user (403), so it is taken for github-actions[bot]; an App's token writes as
 * `<app-slug>[bot]`, which the first comment it creates reveals (upsertComment). A personal or
 * OAuth token asks GET /user.
 */
export async function tokenLogin(octokit: Octokit, token: string): Promise<string> {
  if (token.startsWith('ghs_')) return ACTIONS_LOGIN;
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login;
  } catch (e) {
    if ((e as HttpError).status === 403) return ACTIONS_LOGIN;
    throw e;
  }
}

/** The issue-comment endpoints of one pull request (pull requests are issues to this API). */
export function commentsApi(octokit: Octokit, pr: PullRequestRef): CommentsApi {
  const where = { owner: pr.owner, repo: pr.repo };
  return {
    list: async () =>
      (await octokit.paginate(octokit.rest.issues.listComments, { ...where, issue_number: pr.number, per_page: 100 })).map(slim),
    create: async (body) => slim((await octokit.rest.issues.createComment({ ...where, issue_number: pr.number, body })).data),
    update: async (id, body) => slim((await octokit.rest.issues.updateComment({ ...where, comment_id: id, body })).data),
    remove: async (id) => {
      try {
        await octokit.rest.issues.deleteComment({ ...where, comment_id: id });
      } catch (e) {
        if ((e as HttpError).status !== 404) throw e;
      }
    },
  };
}

/** The head commit of a pull request: to check that a number read from an artifact is the PR that ran. */
export async function pullRequestHead(octokit: Octokit, pr: PullRequestRef): Promise<string> {
  return (await octokit.rest.pulls.get({ owner: pr.owner, repo: pr.repo, pull_number: pr.number })).data.head.sha;
}
