export { benchMarkdown, profileMarkdown } from './bench.js';
export { escapeHtml, escapeMarkdown, escapePlain, type Escape } from './escape.js';
export { fmtBytes, fmtInterval, fmtMs, fmtRate, fmtShare } from './format.js';
