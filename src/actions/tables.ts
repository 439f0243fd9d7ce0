// Each action under actions/ with the settings table its inputs come from: `npm run settings`
// generates their `inputs:` blocks (and a composite action's INPUT_* env and runtime steps) from
// these, and test/settings.test.ts checks the committed files against them.
import { BENCH_SETTINGS } from '../bench/settings.js';
import { CHECK_SETTINGS } from '../budgets/settings.js';
import { PROMOTE_SETTINGS } from '../fleet/settings.js';
import { HISTORY_SETTINGS } from '../history/settings.js';
import { OPTIMIZE_SETTINGS } from '../optimize/settings.js';
import { REPORT_SETTINGS } from '../report/settings.js';
import { RUN_SETTINGS } from '../run/settings.js';
import type { ActionSpec } from '../settings/action-yml.js';

export const ACTIONS: ActionSpec[] = [
  { name: 'benchmark', table: BENCH_SETTINGS, runtime: { when: "inputs.runtime == '' || inputs.runtime == 'onnxruntime'" } },
  { name: 'optimize', table: OPTIMIZE_SETTINGS, runtime: {} },
  { name: 'check', table: CHECK_SETTINGS },
  { name: 'history', table: HISTORY_SETTINGS },
  { name: 'report', table: REPORT_SETTINGS },
  { name: 'promote', table: PROMOTE_SETTINGS },
  // ./action.yml runs `edgeml run`: its inputs are the run command's settings.
  { name: 'root', table: RUN_SETTINGS, runtime: {} },
];
