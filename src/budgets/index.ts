// Budgets from edgeml.yml judged against results (and a compare document for regression limits).
export * from './types.js';
export { evaluateBudgets, globMatch } from './evaluate.js';
export { isCompatKey, judgeCompatBudgets } from './compat.js';
export { CHECK_SCHEMA, checkDocument, readCheck, writeCheck, type CheckDocument } from './document.js';
export { CHECK_SETTINGS } from './settings.js';
export { checkDocuments, runCheck, slowerFails, type CheckDocuments, type CheckInputs, type CheckRun } from './check.js';
