// `edgeml history append` and `edgeml dashboard`: flags (HISTORY_SETTINGS, DASHBOARD_SETTINGS) ->
// the history's one implementation -> one line on stdout.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { rebuildDashboard, renderDashboard, writeDashboard } from '../dashboard/index.js';
import { UserError } from '../errors.js';
import { DASHBOARD_SETTINGS, HISTORY_SETTINGS, appendHistory, describeAppend, historyEntry, readEntries } from '../history/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';

export function historyCommand(): Command {
  const history = new Command('history').description('the benchmark history across commits (a data branch or a folder)');
  const append = history.command('append').description('append the results of this commit on this device; never rewrites what is there');
  addSettings(append, HISTORY_SETTINGS).action(async (flags: Record<string, RawValue>) => {
    const v = parseSettings(HISTORY_SETTINGS, flags, asFlag);
    const r = await appendHistory(historyEntry(v, asFlag), v, { log: (line) => process.stderr.write(`${line}\n`), dashboard: rebuildDashboard });
    process.stdout.write(`${describeAppend(r.status, r.shown)}\n`);
  });
  return history;
}

export function dashboardCommand(): Command {
  const cmd = new Command('dashboard').description('build the static dashboard (index.html) from a history folder');
  return addSettings(cmd, DASHBOARD_SETTINGS).action((flags: Record<string, RawValue>) => {
    const { dataDir, out, title } = parseSettings(DASHBOARD_SETTINGS, flags, asFlag);
    if (!dataDir || !out) throw new UserError(`${dataDir ? '--out' : '--data-dir'} is required: edgeml dashboard --data-dir HISTORY --out site/`);
    if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
      throw new UserError(`--data-dir ${dataDir}: no such folder; give a checkout of the data branch (git worktree add site origin/edgeml-data)`);
    }
    const { entries, skipped } = readEntries(resolve(dataDir));
    for (const s of skipped) process.stderr.write(`skipped ${s}\n`);
    const file = writeDashboard(resolve(out), renderDashboard(entries, title ? { title } : {}));
    process.stdout.write(`${file}: ${entries.length} entries\n`);
  });
}
