// The all-in-one action's step: edgeml.yml -> `edgeml run` in log groups -> outputs, and the report
// run made published as it is (job summary, annotations, the sticky comment): nothing re-rendered.
import { isAbsolute, resolve } from 'node:path';
import { actionsLogger as log, getBoolInput, getInput, getInputOr, getLoginInput, publishReport, runAction, setOutput } from '../github/index.js';
import { fitMarkdown } from '../report/index.js';
import { parseInspectSetting, runAll, summaryTable, throwOnFailure } from '../run/index.js';

async function main(): Promise<void> {
  const config = getInputOr('config', 'edgeml.yml');
  const baseRef = getInput('base-ref');
  const baseModel = getInput('base-model');
  const out = resolve(getInputOr('out', 'edgeml-results'));
  const base = baseModel ? { dir: isAbsolute(baseModel) ? baseModel : resolve(baseModel) } : baseRef ? { ref: baseRef } : undefined;
  // Not given: the one fallback of describeDevice (EDGEML_DEVICE_LABEL, RUNNER_NAME, os-arch).
  const deviceLabel = getInput('device-label');
  const inspect = parseInspectSetting(getInput('inspect'), "input 'inspect':");
  // The comment's inputs are checked before minutes of measurements, not after.
  const comment = getBoolInput('comment', true) && { token: getInput('token'), reportId: getInput('report-id'), author: getLoginInput('comment-author') };
  const outcome = await runAll({ config, base, out, ...(deviceLabel ? { deviceLabel } : {}), ...(inspect ? { inspect } : {}) }, log);
  for (const n of outcome.notices) log.info(`note: ${n}`);
  log.info(summaryTable(outcome.rows, outcome.verdict));
  setOutput('verdict', outcome.verdict);
  setOutput('results', outcome.out);
  setOutput('report', outcome.report);
  setOutput('summary', outcome.summary);
  setOutput('result-files', outcome.files.results.join('\n'));
  setOutput('compare-files', outcome.files.compare.join('\n'));
  setOutput('check-files', outcome.files.check.join('\n'));
  setOutput('inspect-files', outcome.files.inspect.join('\n'));
  setOutput('compat-files', outcome.files.compat.join('\n'));
  // Published before the exit status: a failing run still gets its report and comment.
  const { markdown, sections, budgets } = outcome.rendered;
  await publishReport({
    markdown,
    fit: (limit, url) => fitMarkdown(sections, limit, url),
    budgets,
    comment: () => comment,
  }, log);
  throwOnFailure(outcome);
}

void runAction(main);
