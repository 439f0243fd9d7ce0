export { benchMarkdown, profileMarkdown } from './bench.js';
export { escapeMarkdown, escapePlain, type Escape } from './escape.js';
export { fmtBytes, fmtInterval, fmtMs, fmtRate, fmtShare } from './format.js';
export { manifestMarkdown } from './optimize.js';
