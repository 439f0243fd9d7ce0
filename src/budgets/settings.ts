// `edgeml check`'s settings and the check action's inputs: one table (see src/settings/).
import type { SettingsTable } from '../settings/index.js';

export const CHECK_SETTINGS = {
  config: { kind: 'path', value: '<file>', default: 'edgeml.yml', help: 'the config file with the budgets', input: {} },
  results: {
    kind: 'pairs', value: '<file>', help: 'a results document from edgeml bench --json (repeatable: one per device or model)',
    input: { required: true, description: 'Results documents from the benchmark action or `edgeml bench --json`, one per line.' },
  },
  compare: {
    kind: 'path', value: '<file>', help: 'a compare document from edgeml compare --json, for regression budgets',
    input: { description: 'A compare document from `edgeml compare --json`, for regression budgets. Without it regression budgets pass with a notice (first run).' },
  },
  inspect: { kind: 'pairs', value: '<file>', help: 'an inspect document from edgeml inspect --json, for compat.* budgets (repeatable)' },
  json: { kind: 'path', value: '<file>', help: 'write the check document here', input: {} },
} as const satisfies SettingsTable;
