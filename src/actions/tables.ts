// Each action under actions/ with the settings table its inputs come from: `npm run settings`
// generates their `inputs:` blocks (and a composite action's INPUT_* env and runtime steps) from
// these, and test/settings.test.ts checks the committed files against them.
import { BENCH_SETTINGS } from '../bench/settings.js';
import { CHECK_SETTINGS } from '../budgets/settings.js';
import { OPTIMIZE_SETTINGS } from '../optimize/settings.js';
import type { ActionSpec } from '../settings/action-yml.js';

export const ACTIONS: ActionSpec[] = [
  { name: 'benchmark', table: BENCH_SETTINGS, runtime: { when: "inputs.runtime == '' || inputs.runtime == 'onnxruntime'" } },
  { name: 'optimize', table: OPTIMIZE_SETTINGS, runtime: {} },
  { name: 'check', table: CHECK_SETTINGS },
  // edgeml run's inputs are not in a table yet: only its runtime steps are generated.
  { name: 'root', runtime: {} },
];
