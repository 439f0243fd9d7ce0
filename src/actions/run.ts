// The all-in-one action's step: edgeml.yml -> `edgeml run` in log groups -> outputs for the
// report step (which posts the sticky comment with the report action's bundle).
import { isAbsolute, resolve } from 'node:path';
import { actionsLogger as log, getInput, getInputOr, runAction, setOutput } from '../github/index.js';
import { runAll, summaryTable, throwOnFailure } from '../run/index.js';

async function main(): Promise<void> {
  const config = getInputOr('config', 'edgeml.yml');
  const baseRef = getInput('base-ref');
  const baseModel = getInput('base-model');
  const out = resolve(getInputOr('out', 'edgeml-results'));
  const base = baseModel ? { dir: isAbsolute(baseModel) ? baseModel : resolve(baseModel) } : baseRef ? { ref: baseRef } : undefined;
  // Not given: the one fallback of describeDevice (EDGEML_DEVICE_LABEL, RUNNER_NAME, os-arch).
  const deviceLabel = getInput('device-label');
  const outcome = await runAll({ config, base, out, ...(deviceLabel ? { deviceLabel } : {}) }, log);
  for (const n of outcome.notices) log.info(`note: ${n}`);
  log.info(summaryTable(outcome.rows, outcome.verdict));
  setOutput('verdict', outcome.verdict);
  setOutput('results', outcome.out);
  setOutput('report', outcome.report);
  setOutput('summary', outcome.summary);
  setOutput('result-files', outcome.files.results.join('\n'));
  setOutput('compare-files', outcome.files.compare.join('\n'));
  setOutput('check-files', outcome.files.check.join('\n'));
  throwOnFailure(outcome);
}

void runAction(main);
