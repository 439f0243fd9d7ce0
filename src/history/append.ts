// `edgeml history append` and the history action: one implementation over HISTORY_SETTINGS' typed
// values. The adapters give the names for messages (flags or inputs), the log, and how to rebuild
// the dashboard (src/dashboard imports this area, not the other way round).
import { resolve } from 'node:path';
import { readCheck } from '../budgets/index.js';
import { readCompare } from '../compare/index.js';
import { UserError } from '../errors.js';
import type { SettingSource, SettingValues } from '../settings/index.js';
import type { HistoryEntry } from './types.js';
import { parseBudgetFlag, parseVerdictFlag } from './flags.js';
import { appendToBranch, commitContext } from './git.js';
import type { HISTORY_SETTINGS } from './settings.js';
import { appendEntry, budgetLinesFrom, buildEntry, verdictsFrom, type AppendStatus } from './store.js';

export type HistoryValues = SettingValues<typeof HISTORY_SETTINGS>;

/** The entry for this commit: results, verdicts (compare documents, then `verdict` lines) and budget lines. */
export function historyEntry(v: HistoryValues, source: SettingSource): HistoryEntry {
  if (!v.results.length) throw new UserError(`${source('results')} is required: the results documents of this job (edgeml bench --json), one device`);
  const ctx = commitContext(resolve(v.repo), v.commit);
  return buildEntry({
    results: v.results,
    ...ctx,
    ...(v.modelName ? { modelName: v.modelName } : {}),
    ...(v.target ? { target: v.target } : {}),
    verdicts: { ...verdictsFrom(v.compare.map(readCompare), v.modelName), ...Object.fromEntries(v.verdict.map((line) => parseVerdictFlag(line, source('verdict')))) },
    budgets: [...(v.check ? budgetLinesFrom(readCheck(v.check), v.modelName) : []), ...v.budget.map((line) => parseBudgetFlag(line, source('budget')))],
  });
}

export interface AppendOutcome {
  status: AppendStatus;
  /** The entry's path within the history. */
  path: string;
  /** Where it is, for messages: the folder's path, or `branch:path`. */
  shown: string;
}

/**
 * Appends `entry` to the `data-dir` folder, or to the data branch (pushed; redone on the new tip
 * when another job pushed first) with the dashboard rebuilt there in the same commit when asked.
 */
export async function appendHistory(
  entry: HistoryEntry, v: HistoryValues, deps: { log: (line: string) => void; dashboard: (dir: string, title?: string) => void },
): Promise<AppendOutcome> {
  if (v.dataDir) {
    const r = appendEntry(resolve(v.dataDir), entry);
    return { ...r, shown: r.path };
  }
  const r = await appendToBranch(entry, {
    repo: resolve(v.repo),
    remote: v.remote,
    branch: v.branch,
    log: deps.log,
    ...(v.dashboard ? { afterAppend: (dir: string) => deps.dashboard(dir, v.title) } : {}),
  });
  return { status: r.status, path: r.path, shown: `${v.branch}:${r.path}` };
}
