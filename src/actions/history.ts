// The `history` action: on pushes to the default branch, append this job's results to the data
// branch (and rebuild the dashboard there), or to a folder: inputs (HISTORY_SETTINGS) -> the same
// implementation as `edgeml history append` -> outputs.
import { rebuildDashboard } from '../dashboard/index.js';
import { actionsLogger as log, readInputs, runAction, setOutput } from '../github/index.js';
import { HISTORY_SETTINGS, appendHistory, describeAppend, historyEntry } from '../history/index.js';
import { asInput } from '../settings/index.js';

async function main(): Promise<void> {
  const v = readInputs(HISTORY_SETTINGS);
  const entry = historyEntry(v, asInput);
  const r = await log.group(`Append ${v.results.length} results of ${entry.commit.slice(0, 12)} to the history`, () =>
    appendHistory(entry, v, { log: (line) => log.info(line), dashboard: rebuildDashboard }));
  if (r.status === 'kept') log.warning(describeAppend(r.status, r.path));
  setOutput('path', r.path);
  setOutput('status', r.status);
}

void runAction(main);
