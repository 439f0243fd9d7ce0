// `edgeml compare`'s settings as its flags spell them (strings), checked and converted to
// CompareOptions: by the CLI, and by `edgeml run` from edgeml.yml's benchmark: and compare:.
import { BENCH_FLAG_DEFAULTS, benchOptionsFromFlags, type BenchFlags } from '../bench/index.js';
import { FLAG_NAMES, UserError, settingName, type SettingNames } from '../errors.js';
import { parseDuration, parsePercent, parseWhole } from '../units.js';
import { COMPARE_DEFAULTS } from './run.js';
import type { CompareOptions } from './types.js';
import { COMPARE_METRICS, DESIGN_CHOICES, type CompareMetric, type DesignChoice } from './types.js';

/**
 * The bench flags that apply to ONNX Runtime (--max-duration is the whole comparison's, not one
 * measurement's) and compare's own.
 */
export interface CompareFlags extends Omit<BenchFlags, 'profile' | 'samples' | 'runtime' | 'toolPath' | 'precision'> {
  threshold: string;
  metric: string;
  minRounds: string;
  maxRounds: string;
  design: string;
}

/**
 * Bench's defaults but for the length of a measurement: the rounds, not the runs, carry the
 * statistics, so each run is short (50 queries, 1 s) and --max-duration bounds the whole comparison.
 */
export const COMPARE_FLAG_DEFAULTS: CompareFlags = {
  ...BENCH_FLAG_DEFAULTS,
  minIterations: String(COMPARE_DEFAULTS.minIterations),
  minDuration: `${COMPARE_DEFAULTS.minDurationMs / 1000}s`,
  maxDuration: `${COMPARE_DEFAULTS.maxDurationMs / 1000}s`,
  threshold: `${COMPARE_DEFAULTS.threshold * 100}%`,
  metric: COMPARE_DEFAULTS.metric,
  minRounds: String(COMPARE_DEFAULTS.minRounds),
  maxRounds: String(COMPARE_DEFAULTS.maxRounds),
  design: COMPARE_DEFAULTS.design,
};

export type CompareSettings = Omit<CompareOptions, 'base' | 'head' | 'baseResults' | 'allowDifferentDevice'>;

/** `names` says how messages name each setting: by its flag, or by its key in edgeml.yml. */
export function compareOptionsFromFlags(f: CompareFlags, names: SettingNames = FLAG_NAMES): CompareSettings {
  const n = (flag: string) => settingName(names, flag);
  const threshold = parsePercent(f.threshold, n('--threshold'));
  if (threshold <= 0 || threshold >= 1) throw new UserError(`${n('--threshold')} ${f.threshold}: expected a percentage between 0% and 100%, such as 5%`);
  if (!(DESIGN_CHOICES as string[]).includes(f.design)) throw new UserError(`${n('--design')} ${JSON.stringify(f.design)}: expected one of ${DESIGN_CHOICES.join(', ')}`);
  if (!(COMPARE_METRICS as string[]).includes(f.metric)) throw new UserError(`${n('--metric')} ${JSON.stringify(f.metric)}: expected one of ${COMPARE_METRICS.join(', ')}`);
  const maxDurationMs = parseDuration(f.maxDuration, n('--max-duration'));
  const minDurationMs = parseDuration(f.minDuration, n('--min-duration'));
  if (maxDurationMs < minDurationMs) {
    const max = names.key('--max-duration');
    throw new UserError(`${names.at('--max-duration')}${max} ${f.maxDuration} is shorter than one measurement (${names.key('--min-duration')} ${f.minDuration}); raise ${max}`);
  }
  // Each measurement may overrun its minimum (slow queries, --min-iterations), but not by much.
  const perRun = `${Math.max(3 * minDurationMs, minDurationMs + 5000)}ms`;
  const { model: _m, profile: _p, keepSamples: _k, ...bench } = benchOptionsFromFlags('', { ...f, maxDuration: perRun }, names);
  return {
    bench,
    threshold,
    metric: f.metric as CompareMetric,
    maxDurationMs,
    minRounds: parseWhole(f.minRounds, n('--min-rounds'), 2),
    maxRounds: parseWhole(f.maxRounds, n('--max-rounds')),
    design: f.design as DesignChoice,
    names,
  };
}
