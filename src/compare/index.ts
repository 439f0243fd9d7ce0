// `edgeml compare`: is head slower than base, beyond the threshold, at 95% confidence?
export * from './types.js';
export { CONFIDENCE, METHOD, PAIRED_METHOD, STORED_METHOD, decidingRatio, judge, lookLevel, ratioAt } from './verdict.js';
export { COMPARE_DEFAULTS, runCompare, type CompareHooks } from './run.js';
export { compareOptions, type CompareSettingValues, type CompareSettings, type CompareValues } from './options.js';
export { COMPARE_SETTINGS } from './settings.js';
export { compareSchema, readCompare, writeCompare } from './document.js';
