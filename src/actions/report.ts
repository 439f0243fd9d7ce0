// The `report` action: results (and comparisons, budget checks) -> one report in the job summary,
// in a file, and as one sticky comment on the pull request.
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  actionsLogger as log, expandPatterns, forkPullRequest, getBoolInput, getInput, getInputOr, getListInput, getLoginInput, publishReport, runAction, setOutput,
} from '../github/index.js';
import { MISSING_REASON, buildReport, fitMarkdown, readReportInputs, reportMarkdown, reportOptions, reportSections } from '../report/index.js';
import { checkOutputPath, writeFileAtomic } from '../documents/index.js';

async function main(): Promise<void> {
  // With the devices a matrix should hear from, a pattern that matches nothing is a device that did not report.
  const devices = getListInput('devices');
  const expand = (input: string) => expandPatterns(input, getListInput(input), devices.length > 0);
  // No compat document is no error: a model nobody inspected has none (its compat budgets then read not judged).
  const compat = await expandPatterns('compat', getListInput('compat'), true);
  const files = { results: await expand('results'), compare: await expand('compare'), check: await expand('check'), compat };
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
  await publishReport({
    markdown,
    fit: (limit, url) => fitMarkdown(sections, limit, url),
    budgets: report.budgets,
    comment: () => getBoolInput('comment', true) && { token: getInput('token'), reportId: getInput('report-id'), author: getLoginInput('comment-author'), prNumber: getInput('pr-number') },
  }, log);
}

void runAction(main);
