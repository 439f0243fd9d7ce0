// Each action under actions/ with the settings table its inputs come from: `npm run settings`
// generates their `inputs:` blocks (and a composite action's INPUT_* env and runtime steps) from
// these, and test/settings.test.ts checks the committed files against them. CONFIG_SECTIONS: the
// parts of schemas/config.schema.json made from the tables (its keys, types and stated defaults).
import { BENCH_SETTINGS } from '../bench/settings.js';
import { CHECK_SETTINGS } from '../budgets/settings.js';
import { COMPARE_SETTINGS } from '../compare/settings.js';
import { GATE_DEFAULTS } from '../fleet/index.js';
import { PROMOTE_SETTINGS, PUBLISH_SETTINGS } from '../fleet/settings.js';
import { HISTORY_SETTINGS } from '../history/settings.js';
import { OPTIMIZE_SETTINGS } from '../optimize/settings.js';
import { REPORT_SETTINGS } from '../report/settings.js';
import { RUN_SETTINGS } from '../run/settings.js';
import type { ActionSpec } from '../settings/action-yml.js';
import type { SchemaSection } from '../settings/config-schema.js';

export const ACTIONS: ActionSpec[] = [
  { name: 'benchmark', table: BENCH_SETTINGS, runtime: { when: "inputs.runtime == '' || inputs.runtime == 'onnxruntime'" } },
  { name: 'optimize', table: OPTIMIZE_SETTINGS, runtime: {} },
  { name: 'check', table: CHECK_SETTINGS },
  { name: 'history', table: HISTORY_SETTINGS },
  { name: 'report', table: REPORT_SETTINGS },
  { name: 'promote', table: PROMOTE_SETTINGS },
  { name: 'publish', table: PUBLISH_SETTINGS },
  // ./action.yml runs `edgeml run`: its inputs are the run command's settings.
  { name: 'root', table: RUN_SETTINGS, runtime: {} },
];

/** The gate's defaults as edgeml.yml's rollout: keys (and each stage's) state them. */
const GATE_STATED = {
  'min-devices': String(GATE_DEFAULTS.minDevices),
  'success-threshold': `${GATE_DEFAULTS.successThreshold}%`,
  'error-threshold': `${GATE_DEFAULTS.errorThreshold}%`,
  soak: `${GATE_DEFAULTS.soakMs / 1000}s`,
};

export const CONFIG_SECTIONS: SchemaSection[] = [
  // bench and compare take benchmark: with different lengths: its keys state no default (their flags' help does).
  { path: ['benchmark'], table: BENCH_SETTINGS, section: 'benchmark', describe: false },
  { path: ['compare'], table: COMPARE_SETTINGS, section: 'compare', also: ['artifacts'] },
  { path: ['rollout'], defaults: GATE_STATED },
  { path: ['rollout', 'properties', 'stages', 'items'], defaults: GATE_STATED },
];
