export { HISTORY_SCHEMA, METRICS } from './entry.js';
export type { BudgetLine, HistoryEntry, HistoryResult } from './types.js';
export { appendEntry, budgetLinesFrom, buildEntry, describeAppend, modelKey, verdictsFrom, entryPath, readEntries, validateEntry, type AppendStatus, type EntryInput } from './store.js';
export { appendToBranch, commitContext, type BranchOptions, type CommitContext } from './git.js';
export { sparkline, trend, trendOf, type TrendQuery } from './trend.js';
export { parseBudgetFlag, parseVerdictFlag } from './flags.js';
export { appendHistory, historyEntry, type AppendOutcome, type HistoryValues } from './append.js';
export { DASHBOARD_SETTINGS, HISTORY_SETTINGS } from './settings.js';
