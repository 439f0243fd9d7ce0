// `edgeml compare`'s settings and edgeml.yml's compare: keys: one table (see src/settings/). What
// is measured comes from bench's table; how long each measurement lasts has compare's defaults.
import { DEVICE_LABEL_HELP, LENGTH_SETTINGS, MEASURE_SETTINGS, SEED_SETTING } from '../bench/index.js';
import type { SettingsTable } from '../settings/index.js';
import { COMPARE_METRICS, DESIGN_CHOICES } from './types.js';

/** The rounds, not the runs, carry the statistics: each measurement is short (50 queries, 1 s). */
const LENGTHS = {
  minIterations: { ...LENGTH_SETTINGS.minIterations, default: '50', help: 'timed queries in each measurement at least', config: 'compare', input: false },
  maxIterations: { ...LENGTH_SETTINGS.maxIterations, help: 'timed queries in each measurement at most (0 = no cap)', config: 'compare', input: false },
  minDuration: { ...LENGTH_SETTINGS.minDuration, default: '1s', help: 'each measurement (one process) lasts at least this long', config: 'compare', input: false },
  maxDuration: { ...LENGTH_SETTINGS.maxDuration, default: '60s', help: 'time for the whole comparison', config: 'compare', input: false },
} as const satisfies SettingsTable;

export const COMPARE_SETTINGS = {
  base: { kind: 'path', value: '<file>', help: 'the base .onnx or .ort file' },
  head: { kind: 'path', value: '<file>', help: 'the head .onnx or .ort file' },
  baseResults: { kind: 'path', value: '<file>', help: 'compare head against a stored results document (edgeml bench --json) instead of measuring a base' },
  allowDifferentDevice: { kind: 'boolean', help: 'accept a --base-results document from another device or runtime version (shown in the verdict)' },
  threshold: { kind: 'percent', default: '5%', value: '<percent>', help: 'smallest change that counts', config: 'compare' },
  statistic: {
    kind: 'enum', choices: COMPARE_METRICS, default: 'p50', value: '<name>', config: 'compare',
    help: 'what decides the verdict: p50 or p90 of wall-clock latency, or cpu (CPU time per query)',
    deprecated: [{ name: 'metric', until: '0.3.0' }],
  },
  minRounds: { kind: 'count', min: 2, default: '8', value: '<n>', help: 'rounds before the first look at the data', config: 'compare' },
  maxRounds: { kind: 'count', default: '0', value: '<n>', help: 'rounds at most (0 = until --max-duration)', config: 'compare' },
  design: {
    kind: 'enum', choices: DESIGN_CHOICES, default: 'auto', value: '<design>', config: 'compare',
    help: 'paired: base and head in one process, alternating short batches; processes: a fresh process per measurement; auto: paired where possible',
  },
  config: {
    kind: 'path', value: '<file>',
    help: 'take the settings from this edgeml.yml (benchmark: what is measured; compare: how long and how judged; input, dim, data of the model whose path is --head); flags given here win',
  },
  ...MEASURE_SETTINGS,
  warmup: { ...MEASURE_SETTINGS.warmup, help: 'untimed queries before each measurement' },
  ...LENGTHS,
  ...SEED_SETTING,
  deviceLabel: { kind: 'string', value: '<label>', help: DEVICE_LABEL_HELP },
  json: { kind: 'path', value: '<file>', help: 'write the compare document here' },
} as const satisfies SettingsTable;
