export { benchMarkdown, profileMarkdown } from './bench.js';
export { escapeHtml, escapeMarkdown, escapePlain, type Escape } from './escape.js';
export { fmtBytes, fmtChange, fmtInterval, fmtMs, fmtNumber, fmtRate, fmtShare } from './format.js';
export {
  budgetView, checkView, compareView, readReportInputs,
  type BenchSummary, type BudgetRow, type CompatInput, type CheckDoc, type CompareDoc, type RatioEstimate, type ReportInputs,
} from './docs.js';
export { buildReport, overallStatus, targetOf, type MissingDevice, type ModelGroup, type Report, type ReportOptions, type Row, type ReportStatus } from './merge.js';
export { MISSING_REASON } from './missing.js';
export { fitMarkdown, headline, reportMarkdown, reportSections, type Section } from './markdown.js';
export { chartLabel, modelSvg } from './charts.js';
export { compareMarkdown, fmtRatio } from './compare.js';
export { budgetCounts, checkMarkdown, fmtBudgetValue } from './check.js';
export { ICON, budgetStatusCell } from './icons.js';
export { accuracyMarkdown, manifestMarkdown } from './optimize.js';
export { reportOptions } from './options.js';
export { compatChange, compatMarkdown, compatSection, inspectText } from './compat.js';
export { COMMENT_SETTINGS, REPORT_SETTINGS } from './settings.js';
