// The `history` action: on pushes to the default branch, append this job's results to the data
// branch (and rebuild the dashboard there), or to a folder.
import { resolve } from 'node:path';
import { renderDashboard, writeDashboard } from '../dashboard/index.js';
import { UserError } from '../errors.js';
import { actionsLogger as log, getBoolInput, getInput, getInputOr, getListInput, runAction, setOutput } from '../github/index.js';
import { readCheck } from '../budgets/index.js';
import { readCompare } from '../compare/index.js';
import {
  appendEntry, appendToBranch, budgetLinesFrom, buildEntry, commitContext, describeAppend, parseBudgetFlag, parseVerdictFlag, readEntries, verdictsFrom,
} from '../history/index.js';

async function main(): Promise<void> {
  const results = getListInput('results');
  if (!results.length) throw new UserError("input 'results' is required: the results documents of this job (one per line)");
  const repo = resolve(getInputOr('repo', '.'));
  const ctx = commitContext(repo);
  const entry = buildEntry({
    results,
    ...ctx,
    ...(getInput('model-name') ? { modelName: getInput('model-name') } : {}),
    ...(getInput('target') ? { target: getInput('target') } : {}),
    verdicts: { ...verdictsFrom(getListInput('compare').map(readCompare), getInput('model-name') || undefined), ...Object.fromEntries(getListInput('verdicts').map(parseVerdictFlag)) },
    budgets: [...(getInput('check') ? budgetLinesFrom(readCheck(getInput('check')), getInput('model-name') || undefined) : []), ...getListInput('budgets').map(parseBudgetFlag)],
  });
  const dataDir = getInput('data-dir');
  const title = getInput('title');
  const r = await log.group(`Append ${results.length} results of ${ctx.commit.slice(0, 12)} to the history`, async () => {
    if (dataDir) return appendEntry(resolve(dataDir), entry);
    return appendToBranch(entry, {
      repo,
      remote: getInputOr('remote', 'origin'),
      branch: getInputOr('branch', 'edgeml-data'),
      log: (line) => log.info(line),
      ...(getBoolInput('dashboard', true)
        ? { afterAppend: (dir: string) => { writeDashboard(dir, renderDashboard(readEntries(dir).entries, title ? { title } : {})); } }
        : {}),
    });
  });
  if (r.status === 'kept') log.warning(describeAppend(r.status, r.path));
  setOutput('path', r.path);
  setOutput('status', r.status);
}

void runAction(main);
