// The retraining trigger, one rule for `edgeml drift` and the agent: judged windows in time order
// per device and model; a drifted one extends the streak, one judged without drift breaks it, one
// not judged does neither. A streak that reaches `windowsInARow` fires once, and what is sent to
// the repository (a repository_dispatch's client_payload, within GitHub's limits) is built here.
import type { HistogramScore } from './types.js';

/** The repository_dispatch event type the retraining workflow listens for. */
export const DRIFT_EVENT = 'edgeml-drift';
/** Devices named in one payload at most (devicesTotal counts them all). */
const PAYLOAD_DEVICES = 100;

export interface Trigger {
  device: string;
  /** Drifted windows in a row when it fired. */
  windows: number;
  /** The end of the window that completed the streak. */
  at: string;
  /** The histogram that drifted most (by PSI) in that window, and its PSI. */
  metric: string;
  score: number;
}

/** The streak after one more window (`judged`, `drift` as scored). */
export function streakAfter(n: number, w: { judged: boolean; drift: boolean }): number {
  return !w.judged ? n : w.drift ? n + 1 : 0;
}

/** The trigger a window fires when it takes the streak to `n` drifted windows. */
export function triggerOf(w: { device: string; end: string; scores: HistogramScore[] }, n: number): Trigger {
  const worst = w.scores.filter((x) => x.drift).sort((a, b) => b.psi - a.psi)[0];
  return { device: w.device, windows: n, at: w.end, metric: worst?.key ?? '', score: worst?.psi ?? 0 };
}

/** One trigger is one event: the key under which a sent trigger is remembered. */
export function triggerKey(sha256: string, t: Pick<Trigger, 'device' | 'at'>): string {
  return `${sha256}|${t.device}|${t.at}`;
}

/** The client_payload of the dispatch: 10 properties (GitHub's limit), devices capped at 100. */
export function dispatchPayload(model: { name: string; sha256: string }, t: Trigger, devices: string[], version: string | null, cohort: string | null): Record<string, unknown> {
  return {
    model: model.name, version, sha256: model.sha256, cohort, metric: t.metric,
    score: Number(t.score.toFixed(4)), windows: t.windows, devices: devices.slice(0, PAYLOAD_DEVICES), devicesTotal: devices.length, at: t.at,
  };
}
