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
