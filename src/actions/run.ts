// The all-in-one action's step: edgeml.yml -> `edgeml run` in log groups -> outputs, and the report
// run made published as it is (job summary, annotations, the sticky comment): nothing re-rendered.
import { isAbsolute, resolve } from 'node:path';
import { actionsLogger as log, commentInputs, publishReport, readInputs, runAction, setOutput } from '../github/index.js';
import { fitMarkdown } from '../report/index.js';
import { parseInspectSetting, runAll, summaryTable, throwOnFailure } from '../run/index.js';
import { RUN_SETTINGS } from '../run/settings.js';

async function main(): Promise<void> {
  const v = readInputs(RUN_SETTINGS);
  // base-ref defaults to the pull request's base: a base-model folder given wins over it.
  const base = v.baseModel ? { dir: isAbsolute(v.baseModel) ? v.baseModel : resolve(v.baseModel) } : v.baseRef ? { ref: v.baseRef } : undefined;
  const inspect = parseInspectSetting(v.inspect ?? '', "input 'inspect':");
  // The comment's inputs are checked before minutes of measurements, not after.
  const comment = commentInputs(v);
  // No device-label: the one fallback of describeDevice (EDGEML_DEVICE_LABEL, RUNNER_NAME, os-arch).
  const outcome = await runAll({ config: v.config, base, out: resolve(v.out), ...(v.deviceLabel ? { deviceLabel: v.deviceLabel } : {}), ...(inspect ? { inspect } : {}) }, log);
  for (const n of outcome.notices) log.info(`note: ${n}`);
  log.info(summaryTable(outcome.rows, outcome.verdict));
  setOutput('verdict', outcome.verdict);
  setOutput('out', outcome.out);
  // Deprecated (the output named the folder as the other actions name results documents): kept until 0.3.0.
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
