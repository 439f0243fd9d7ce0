// The `report` action: results (and comparisons, budget checks) -> one report in the job summary,
// in a file, and as one sticky comment on the pull request.
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  COMMENT_LIMIT, actionsLogger as log, annotate, expandPatterns, forkPullRequest, getBoolInput, getInput, getInputOr, getListInput, getLoginInput,
  postReport, reportMarker, runAction, runUrl, setOutput, writeSummary,
} from '../github/index.js';
import { MISSING_REASON, buildReport, fitMarkdown, readReportInputs, reportMarkdown, reportOptions, reportSections } from '../report/index.js';
import { checkOutputPath, writeFileAtomic } from '../documents/index.js';

/** The default report id: the workflow and job, so two workflows (or jobs) keep separate comments. */
function defaultReportId(): string {
  return [process.env.GITHUB_WORKFLOW, process.env.GITHUB_JOB].filter(Boolean).join('/') || 'edgeml';
}

async function main(): Promise<void> {
  // With the devices a matrix should hear from, a pattern that matches nothing is a device that did not report.
  const devices = getListInput('devices');
  const expand = (input: string) => expandPatterns(input, getListInput(input), devices.length > 0);
  const files = { results: await expand('results'), compare: await expand('compare'), check: await expand('check') };
  const options = reportOptions(getInput('history') || undefined, getInput('dashboard-url') || undefined, (k) => `input '${k}'`);
  if (devices.length) options.expected = { devices, reason: forkPullRequest() ? MISSING_REASON.fork : MISSING_REASON.noResults };
  const report = buildReport(readReportInputs(files, devices.length > 0), options);
  if (report.missing?.length) log.warning(`devices that did not report: ${report.missing.map((m) => m.device).join(', ')} (${options.expected!.reason})`);
  const sections = reportSections(report);
  const markdown = reportMarkdown(report);

  const out = resolve(getInputOr('out', 'edgeml-report.md'));
  mkdirSync(dirname(out), { recursive: true });
  checkOutputPath(out, "input 'out'");
  writeFileAtomic(out, markdown);
  setOutput('report', out);
  setOutput('status', report.status);
  await writeSummary(markdown);
  for (const b of report.budgets) {
    if (b.outcome === 'failure' || b.outcome === 'warning') {
      annotate(b.outcome === 'failure' ? 'error' : 'warning', b.message, { title: `edgeml budget ${b.key}${b.model ? ` (${b.model}${b.device ? ` @ ${b.device}` : ''})` : ''}` });
    }
  }

  if (!getBoolInput('comment', true)) return;
  const reportId = getInputOr('report-id', defaultReportId());
  const author = getLoginInput('comment-author') || undefined;
  const body = fitMarkdown(sections, COMMENT_LIMIT - reportMarker(reportId).length - 1, runUrl());
  const outcome = await postReport({ token: getInput('token'), reportId, markdown: body, prNumber: getInput('pr-number') || undefined, author }, log);
  if ('posted' in outcome) {
    setOutput('comment-id', outcome.posted.comment.id);
    setOutput('comment-url', outcome.posted.comment.html_url);
  }
}

void runAction(main);
