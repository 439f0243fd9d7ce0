// `edgeml compare`'s settings, typed (COMPARE_SETTINGS' values: the CLI parses its flags once,
// `edgeml run` edgeml.yml's benchmark: and compare: keys), checked together and turned into
// CompareOptions.
import { benchOptions, showDuration, type MeasureValues } from '../bench/index.js';
import { FLAG_NAMES, UserError, settingName, type SettingNames } from '../errors.js';
import type { SettingValues } from '../settings/index.js';
import type { CompareOptions } from './types.js';
import type { COMPARE_SETTINGS } from './settings.js';

/** Every setting of `edgeml compare`, typed. */
export type CompareSettingValues = SettingValues<typeof COMPARE_SETTINGS>;

/** The values a comparison's options are made from: what is measured, and how it is judged. */
export type CompareValues = MeasureValues & Pick<CompareSettingValues, 'threshold' | 'statistic' | 'minRounds' | 'maxRounds' | 'design'> & { deviceLabel?: string };

export type CompareSettings = Omit<CompareOptions, 'base' | 'head' | 'baseResults' | 'allowDifferentDevice'>;

/** A fraction as the percentage a user writes: 0.05 is 5%. */
const showPercent = (x: number) => `${Number((x * 100).toPrecision(12))}%`;

/**
 * Typed compare settings to the options of a comparison. --max-duration is the whole
 * comparison's; each measurement may overrun its minimum (slow queries, --min-iterations), but
 * not by much. `names` says how messages name each setting: by its flag, or its key in edgeml.yml.
 */
export function compareOptions(v: CompareValues, names: SettingNames = FLAG_NAMES): CompareSettings {
  const n = (flag: string) => settingName(names, flag);
  if (v.threshold <= 0 || v.threshold >= 1) throw new UserError(`${n('--threshold')} ${showPercent(v.threshold)}: expected a percentage between 0% and 100%, such as 5%`);
  if (v.maxDuration < v.minDuration) {
    const max = names.key('--max-duration');
    throw new UserError(`${names.at('--max-duration')}${max} ${showDuration(v.maxDuration)} is shorter than one measurement (${names.key('--min-duration')} ${showDuration(v.minDuration)}); raise ${max}`);
  }
  const perRun = Math.max(3 * v.minDuration, v.minDuration + 5000);
  const { model: _m, profile: _p, keepSamples: _k, ...bench } = benchOptions('', { ...v, maxDuration: perRun }, names);
  return {
    bench,
    threshold: v.threshold,
    metric: v.statistic,
    maxDurationMs: v.maxDuration,
    minRounds: v.minRounds,
    maxRounds: v.maxRounds,
    design: v.design,
    names,
  };
}
