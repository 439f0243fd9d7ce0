// The `report` action: results (and comparisons, budget checks) -> one report in the job summary,
// in a file, and as one sticky comment on the pull request. Inputs: REPORT_SETTINGS.
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { actionsLogger as log, commentInputs, expandPatterns, forkPullRequest, publishReport, readInputs, runAction, setOutput } from '../github/index.js';
import { MISSING_REASON, REPORT_SETTINGS, buildReport, fitMarkdown, readReportInputs, reportMarkdown, reportOptions, reportSections } from '../report/index.js';
import { asInput } from '../settings/index.js';
import { checkOutputPath, writeFileAtomic } from '../documents/index.js';

async function main(): Promise<void> {
  const v = readInputs(REPORT_SETTINGS);
  // With the devices a matrix should hear from, a pattern that matches nothing is a device that did not report.
  const { devices } = v;
  const expand = (input: 'results' | 'compare' | 'check') => expandPatterns(input, v[input], devices.length > 0);
  // No compat document is no error: a model nobody inspected has none (its compat budgets then read not judged).
  const compat = await expandPatterns('compat', v.compat, true);
  const files = { results: await expand('results'), compare: await expand('compare'), check: await expand('check'), compat };
  const options = reportOptions(v.history, v.dashboardUrl, asInput);
  if (devices.length) options.expected = { devices, reason: forkPullRequest() ? MISSING_REASON.fork : MISSING_REASON.noResults };
  const report = buildReport(readReportInputs(files, devices.length > 0), options);
  if (report.missing?.length) log.warning(`devices that did not report: ${report.missing.map((m) => m.device).join(', ')} (${options.expected!.reason})`);
  const sections = reportSections(report);
  const markdown = reportMarkdown(report);

  // (Always set: the input has a default.)
  const out = resolve(v.out!);
  mkdirSync(dirname(out), { recursive: true });
  checkOutputPath(out, "input 'out'");
  writeFileAtomic(out, markdown);
  setOutput('report', out);
  setOutput('status', report.status);
  await publishReport({ markdown, fit: (limit, url) => fitMarkdown(sections, limit, url), budgets: report.budgets, comment: () => commentInputs(v) }, log);
}

void runAction(main);
