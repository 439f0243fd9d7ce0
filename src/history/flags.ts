// The history's own line formats, as `edgeml history append`'s --verdict and --budget and the
// history action's inputs give them: `METRIC=LIMIT` budget lines and `MODEL=VERDICT` compare
// verdicts. `what` names the flag or input in messages.
import { VERDICTS, type Verdict } from '../compare/index.js';
import { UserError } from '../errors.js';
import type { BudgetLine } from './types.js';

export function parseBudgetFlag(raw: string, what = '--budget'): BudgetLine {
  const m = /^([a-z0-9_.]+)=(\d+(?:\.\d+)?)$/i.exec(raw);
  if (!m) throw new UserError(`${what} ${raw}: expected METRIC=LIMIT in the chart's unit, e.g. latency.p90=5 (ms)`);
  return { metric: m[1], limit: Number(m[2]) };
}

export function parseVerdictFlag(raw: string, what = '--verdict'): [string, Verdict] {
  const at = raw.lastIndexOf('=');
  const verdict = raw.slice(at + 1) as Verdict;
  if (at <= 0 || !VERDICTS.includes(verdict)) {
    throw new UserError(`${what} ${raw}: expected MODEL=${VERDICTS.join('|')}, e.g. detector=slower`);
  }
  return [raw.slice(0, at), verdict];
}
