// Quantities written as people write them: "10s", "500ms", "2m".
import { UserError } from './errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Parses a duration to milliseconds; a bare number is seconds. `what` names the flag or key. */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) throw new UserError(`${what} ${JSON.stringify(text)}: expected a duration such as 10s, 500ms or 2m`);
  return Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()];
}

/** Parses a whole number >= min. */
export function parseWhole(text: string, what: string, min = 0): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < min) {
    throw new UserError(`${what} ${JSON.stringify(text)}: expected a whole number${min > 0 ? ` of at least ${min}` : ''}`);
  }
  return Number(text);
}

/** One line of "expected ..." per kind of quantity, shared by flags, config errors and docs. */
export const EXPECTED = {
  duration: 'a duration such as 10ms, 250us or 1.5s',
  bytes: 'a size such as 200MB, 1.5GiB or 512KB',
  percent: 'a percentage such as 5%',
  rate: 'a rate such as 120/s or 120',
  fraction: 'a fraction such as 0.97 or 97%',
  share: 'a percentage from 0 to 100, such as 90',
  wholeShare: 'a whole percentage from 0 to 100, such as 10',
} as const;

const LATENCY_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000 };

/** A latency limit in ms; the unit is required ("10ms", "250us", "1.5s"), since a bare 10 is ambiguous. */
export function parseLatency(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|sec|m|min)\s*$/i.exec(text);
  if (!m) throw new UserError(`${what} ${JSON.stringify(text)}: expected ${EXPECTED.duration}`);
  return Number(m[1]) * LATENCY_UNITS[m[2].toLowerCase()];
}

const BYTE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30,
};

/** A size in bytes: SI (KB, MB = 10^6) and binary (KiB, MiB = 2^20) units; a bare number is bytes. */
export function parseBytes(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|[kmg]|b)?\s*$/i.exec(text);
  if (!m) throw new UserError(`${what} ${JSON.stringify(text)}: expected ${EXPECTED.bytes}`);
  return Math.round(Number(m[1]) * BYTE_UNITS[(m[2] ?? 'b').toLowerCase()]);
}

/** "5%" as 0.05. The % sign is required so that 5 and 0.05 cannot be confused. */
export function parsePercent(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (!m) throw new UserError(`${what} ${JSON.stringify(text)}: expected ${EXPECTED.percent}`);
  return Number(m[1]) / 100;
}

/**
 * A share of devices in percent, from 0 to 100, the % sign optional: "90" or "90%" is 90 (a gate's
 * threshold, a rollout's cohort); `whole`: whole percentages only (a rollout's cohort).
 */
export function parseShare(text: string, what: string, whole = false): number {
  const m = (whole ? /^\s*(\d+)\s*%?\s*$/ : /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/).exec(text);
  const v = m ? Number(m[1]) : Number.NaN;
  if (!m || v > 100) throw new UserError(`${what} ${JSON.stringify(text)}: expected ${whole ? EXPECTED.wholeShare : EXPECTED.share}`);
  return v;
}

/** A fraction in [0, 1]: "97%" or 0.97. */
export function parseFraction(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(text);
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!m || v > 1) throw new UserError(`${what} ${JSON.stringify(text)}: expected ${EXPECTED.fraction}`);
  return v;
}

/** Samples per second: "120/s", "120 samples/s" or 120. */
export function parseRate(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:(?:samples?|inferences?|queries)?\s*\/\s*s(?:ec)?)?\s*$/i.exec(text);
  if (!m) throw new UserError(`${what} ${JSON.stringify(text)}: expected ${EXPECTED.rate}`);
  return Number(m[1]);
}

const BYTE_NAMES: Record<string, string> = { b: 'B', kb: 'KB', mb: 'MB', gb: 'GB', tb: 'TB', kib: 'KiB', mib: 'MiB', gib: 'GiB', tib: 'TiB', k: 'KiB', m: 'MiB', g: 'GiB' };
const LATENCY_NAMES: Record<string, string> = { ns: 'ns', us: 'µs', 'µs': 'µs', ms: 'ms', s: 's', sec: 's', m: 'min', min: 'min' };

/**
 * Enough significant figures that the value cannot read as its limit when it is not equal to it:
 * 3.2001 MB against 3.2 MB is "3.2001 MB", never "3.20 MB".
 */
function figures(v: number, limit: number): string {
  for (let d = 3; d < 10; d++) {
    // 2265 stays 2265 (toPrecision(3) would write 2.27e+3).
    const s = Math.abs(v) >= 10 ** d ? v.toFixed(0) : v.toPrecision(d);
    if (v === limit || Number(s) !== limit) return s;
  }
  return String(v);
}

/**
 * A budget value in the unit its limit is written in (`size: 3.2MB` shows 3.06 MB, `size: 3MiB`
 * shows 2.92 MiB, `latency.p90: 250us` shows µs, `97%` shows a percentage), so that a value and
 * its limit are never read in two units. `limitText` is the limit as edgeml.yml writes it.
 */
export function inUnitOf(key: string, value: number | null, limitText: string): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  try {
    return inLimitUnit(key, value, limitText.trim().replace(/^(>=|<=)\s*/, ''));
  } catch {
    // A limit text this version cannot read (a check document is untrusted input): the base unit.
    const unit = key === 'memory.peak' || key === 'size' ? ' B' : key.startsWith('latency.') ? ' ms' : key === 'throughput' ? '/s' : '';
    return `${Number(value.toPrecision(4))}${unit}`;
  }
}

function inLimitUnit(key: string, value: number, body: string): string {
  if (key === 'memory.peak' || key === 'size') {
    const unit = (/([kmgt]i?b|[kmg]|b)\s*$/i.exec(body)?.[1] ?? 'b').toLowerCase();
    const scale = BYTE_UNITS[unit];
    return `${figures(value / scale, parseBytes(body, key) / scale)} ${BYTE_NAMES[unit]}`;
  }
  if (key.startsWith('latency.')) {
    const unit = (/(ns|us|µs|ms|s|sec|m|min)\s*$/i.exec(body)?.[1] ?? 'ms').toLowerCase();
    const scale = LATENCY_UNITS[unit];
    return `${figures(value / scale, parseLatency(body, key) / scale)} ${LATENCY_NAMES[unit]}`;
  }
  if (key === 'throughput') return `${figures(value, parseRate(body, key))}/s`;
  if (key.startsWith('regression.')) return `${value >= 0 ? '+' : ''}${figures(value * 100, parsePercent(body, key) * 100)}%`;
  // accuracy. and fidelity.: a percentage when the limit is one, else the fraction (or error) as written.
  if (body.endsWith('%')) return `${figures(value * 100, parseFraction(body, key) * 100)}%`;
  return figures(value, Number(body));
}

/** The limit as it reads beside its value: `≤ 3.2 MB`, `≥ 97%`. */
export function limitOf(direction: 'max' | 'min', limitText: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*(.*)$/.exec(limitText.trim().replace(/^(>=|<=)\s*/, ''));
  if (!m) return `${direction === 'max' ? '≤' : '≥'} ${limitText.trim()}`;
  const unit = m[2] === 'us' ? 'µs' : m[2];
  return `${direction === 'max' ? '≤' : '≥'} ${m[1]}${unit === '' || unit === '%' ? unit : ` ${unit}`}`;
}
