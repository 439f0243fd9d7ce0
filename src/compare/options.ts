// `edgeml compare`'s settings as its flags spell them (strings), checked and converted to
// CompareOptions: by the CLI, and by `edgeml run` from edgeml.yml's benchmark: and compare:.
import { BENCH_FLAG_DEFAULTS, benchOptionsFromFlags, type BenchFlags } from '../bench/index.js';
import { FLAG_NAMES, UserError, settingName, type SettingNames } from '../errors.js';
import { parseDuration, parsePercent, parseWhole } from '../units.js';
import { flagDefaults, pick } from '../settings/index.js';
import type { CompareOptions } from './types.js';
import { COMPARE_SETTINGS } from './settings.js';
import { COMPARE_METRICS, DESIGN_CHOICES, type CompareMetric, type DesignChoice } from './types.js';

/**
 * The bench flags that apply to ONNX Runtime (--max-duration is the whole comparison's, not one
 * measurement's) and compare's own.
 */
export interface CompareFlags extends Omit<BenchFlags, 'profile' | 'samples' | 'runtime' | 'toolPath' | 'precision'> {
  threshold: string;
  /** What decides the verdict (p50, p90, cpu); edgeml.yml's compare.metric and --metric are its old names. */
  statistic: string;
  minRounds: string;
  maxRounds: string;
  design: string;
}

/**
 * COMPARE_SETTINGS' defaults as its flags spell them: bench's but for the length of a measurement
 * (the rounds, not the runs, carry the statistics; --max-duration bounds the whole comparison).
 */
export const COMPARE_FLAG_DEFAULTS = {
  ...BENCH_FLAG_DEFAULTS,
  ...flagDefaults(pick(COMPARE_SETTINGS, ['minIterations', 'maxIterations', 'minDuration', 'maxDuration', 'threshold', 'statistic', 'minRounds', 'maxRounds', 'design'])),
} as CompareFlags;

export type CompareSettings = Omit<CompareOptions, 'base' | 'head' | 'baseResults' | 'allowDifferentDevice'>;

/** `names` says how messages name each setting: by its flag, or by its key in edgeml.yml. */
export function compareOptionsFromFlags(f: CompareFlags, names: SettingNames = FLAG_NAMES): CompareSettings {
  const n = (flag: string) => settingName(names, flag);
  const threshold = parsePercent(f.threshold, n('--threshold'));
  if (threshold <= 0 || threshold >= 1) throw new UserError(`${n('--threshold')} ${f.threshold}: expected a percentage between 0% and 100%, such as 5%`);
  if (!(DESIGN_CHOICES as string[]).includes(f.design)) throw new UserError(`${n('--design')} ${JSON.stringify(f.design)}: expected one of ${DESIGN_CHOICES.join(', ')}`);
  if (!(COMPARE_METRICS as string[]).includes(f.statistic)) throw new UserError(`${n('--statistic')} ${JSON.stringify(f.statistic)}: expected one of ${COMPARE_METRICS.join(', ')}`);
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
    metric: f.statistic as CompareMetric,
    maxDurationMs,
    minRounds: parseWhole(f.minRounds, n('--min-rounds'), 2),
    maxRounds: parseWhole(f.maxRounds, n('--max-rounds')),
    design: f.design as DesignChoice,
    names,
  };
}
