// A finished report to where a workflow's readers look: the job summary, an annotation per failing
// or warning budget, and (when asked) the sticky comment on the pull request. The report action and
// the all-in-one action's run step both publish through here, so the comment is what was rendered.
import { annotate, setOutput, writeSummary } from './outputs.js';
import type { Logger } from './types.js';
import { reportMarker } from './comment.js';
import { COMMENT_LIMIT, postReport, runUrl } from './post.js';

export interface PublishOptions {
  /** The whole report, as written to its file: the job summary. */
  markdown: string;
  /** The comment body in at most `limit` characters (the report itself when it fits). */
  fit: (limit: number, fullReportUrl?: string) => string;
  budgets: Array<{ outcome: string; key: string; message: string; model?: string; device?: string }>;
  /** Read after the summary is written: a bad comment input fails the step with the summary in place. */
  comment: () => false | { token: string; reportId?: string; author?: string; prNumber?: string };
}

/** The default report id: the workflow and job, so two workflows (or jobs) keep separate comments. */
export function defaultReportId(): string {
  return [process.env.GITHUB_WORKFLOW, process.env.GITHUB_JOB].filter(Boolean).join('/') || 'edgeml';
}

/** Publishes the report; sets the comment-id and comment-url outputs when a comment was posted. */
export async function publishReport(o: PublishOptions, log: Logger): Promise<void> {
  await writeSummary(o.markdown);
  for (const b of o.budgets) {
    if (b.outcome === 'failure' || b.outcome === 'warning') {
      annotate(b.outcome === 'failure' ? 'error' : 'warning', b.message, { title: `edgeml budget ${b.key}${b.model ? ` (${b.model}${b.device ? ` @ ${b.device}` : ''})` : ''}` });
    }
  }
  const comment = o.comment();
  if (!comment) return;
  const reportId = comment.reportId || defaultReportId();
  const body = o.fit(COMMENT_LIMIT - reportMarker(reportId).length - 1, runUrl());
  const outcome = await postReport({ token: comment.token, reportId, markdown: body, prNumber: comment.prNumber || undefined, author: comment.author || undefined }, log);
  if ('posted' in outcome) {
    setOutput('comment-id', outcome.posted.comment.id);
    setOutput('comment-url', outcome.posted.comment.html_url);
  }
}
