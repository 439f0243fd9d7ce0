// The only place (with src/actions/) that touches @actions/*: inputs, outputs, summaries, log
// groups, artifacts. Core modules receive plain values and a Logger.
import * as core from '@actions/core';
import * as glob from '@actions/glob';
import { ExitError, UserError, oneLine } from '../errors.js';
import { isLogin } from './comment.js';
import type { Logger } from './types.js';

export type { Logger } from './types.js';

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  group: (name, fn) => core.group(name, fn),
};

export function getInput(name: string): string {
  return core.getInput(name).trim();
}

export function getInputOr(name: string, fallback: string): string {
  return getInput(name) || fallback;
}

/** Multi-line or comma-separated list input. */
export function getListInput(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function getBoolInput(name: string, fallback: boolean): boolean {
  const raw = getInput(name).toLowerCase();
  if (raw === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(raw)) return true;
  if (['false', 'no', '0', 'off'].includes(raw)) return false;
  throw new UserError(`input '${name}': ${JSON.stringify(raw)} is not a boolean; use true or false`);
}

/** A GitHub login input (`octocat`, `my-app[bot]`), or '' when not given. */
export function getLoginInput(name: string): string {
  return checkLogin(getInput(name), name);
}

function checkLogin(raw: string, name: string): string {
  if (raw === '' || isLogin(raw)) return raw;
  throw new UserError(`input '${name}': ${JSON.stringify(raw.slice(0, 100))} is not a GitHub login; give one such as github-actions[bot], my-app[bot] or octocat (no @)`);
}

/** The comment inputs (COMMENT_SETTINGS, typed), the login checked: false when `comment` is false. */
export function commentInputs(v: { comment: boolean; token?: string; reportId?: string; commentAuthor?: string; prNumber?: string }) {
  if (!v.comment) return false as const;
  return { token: v.token ?? '', reportId: v.reportId ?? '', author: checkLogin(v.commentAuthor ?? '', 'comment-author'), ...(v.prNumber ? { prNumber: v.prNumber } : {}) };
}

/** Tells the runner to hide a secret (whole, and line by line as a log may wrap a PEM) before anything can print it. */
export function maskSecret(text: string): void {
  core.setSecret(text);
  for (const line of text.split('\n')) if (line.trim() && !line.startsWith('-----')) core.setSecret(line.trim());
}



/** Uploads files as one workflow artifact; outside a workflow run (no runtime token) it only says so. */
export async function uploadArtifact(name: string, files: string[], root: string, log: Logger): Promise<boolean> {
  if (!process.env.ACTIONS_RUNTIME_TOKEN) {
    log.info(`not uploading artifact '${name}': no ACTIONS_RUNTIME_TOKEN (not inside a workflow run)`);
    return false;
  }
  // Loaded on demand: the artifact client is large and most actions never upload.
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const res = await client.uploadArtifact(name, files, root, { retentionDays: 30 });
  log.info(`uploaded artifact '${name}' (${res.size ?? 0} bytes)`);
  return true;
}

/** The one try/catch of every action: user errors as one line, bugs with their stack. */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    // Input errors and failed checks (exit 1 in the CLI) are one line; anything else is a bug.
    if (e instanceof ExitError) core.setFailed(oneLine(e));
    else core.setFailed(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}

export { COMMENT_LIMIT, ENABLE_COMMENTS_HINT, forkPullRequest, postReport, runUrl, type PostOptions, type PostOutcome } from './post.js';
export { isLogin, reportMarker, safeReportId, sameLogin, upsertComment, type CommentsApi, type IssueComment } from './comment.js';
export { ACTIONS_LOGIN, DEFAULT_RETRY, retryDelay, tokenLogin, type RetryPolicy } from './api.js';
export { batchLines, groupedBatchLines, inWorkflow } from './log.js';
export { rawInputs, readInputs } from './inputs.js';
export { annotate, setOutput, writeSummary } from './outputs.js';
export { defaultReportId, publishReport, type PublishOptions } from './publish.js';
export { releaseAssetsApiFor } from './releases.js';

/**
 * Expands a list input of paths and glob patterns (as downloaded artifacts lie: `results/**\/*.json`).
 * A plain path is kept as given, so a missing file is reported by whoever reads it; a pattern that
 * matches nothing is an error naming the input, unless `allowNone` (the report of a matrix whose
 * missing devices are named instead).
 */
export async function expandPatterns(input: string, patterns: string[], allowNone = false): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!/[*?[{]/.test(pattern)) {
      out.push(pattern);
      continue;
    }
    const files = (await (await glob.create(pattern, { matchDirectories: false })).glob()).sort();
    if (!files.length && !allowNone) throw new UserError(`input '${input}': ${pattern} matches no files; check the path the artifacts were downloaded to`);
    out.push(...files);
  }
  return [...new Set(out)];
}
