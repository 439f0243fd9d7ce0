// monitoring: of edgeml.yml turned into the thresholds drift is judged with and the telemetry
// window the server fills; a flag given on the command line wins over the file. The defaults and
// why they are what they are: docs/serving-and-drift.md.
import type { MonitoringConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { parseDuration } from '../units.js';
import type { DriftSettings } from './types.js';

/** Requests per telemetry window when neither a flag nor monitoring.window.requests says. */
export const DEFAULT_WINDOW_REQUESTS = 100;

export interface Monitoring {
  drift: DriftSettings;
  window: { requests: number; timeMs: number | null };
}

function atLeastASecond(ms: number, file: string): number {
  if (ms < 1000) throw new UserError(`${file}: monitoring.window.time: at least 1s (a window of less would hold almost no requests)`);
  return ms;
}

export function monitoringSettings(m: MonitoringConfig, defaults: DriftSettings, file = 'edgeml.yml'): Monitoring {
  return {
    drift: {
      ksAlpha: m['ks-p-value'] ?? defaults.ksAlpha,
      psi: m.psi ?? defaults.psi,
      jensenShannon: m['jensen-shannon'] ?? defaults.jensenShannon,
      windowsInARow: m['windows-in-a-row'] ?? defaults.windowsInARow,
      minRequests: m['min-requests'] ?? defaults.minRequests,
      latencyRatio: m['latency-p90-ratio'] ?? defaults.latencyRatio,
    },
    window: {
      requests: m.window?.requests ?? DEFAULT_WINDOW_REQUESTS,
      timeMs: m.window?.time ? atLeastASecond(parseDuration(m.window.time, `${file}: monitoring.window.time`), file) : null,
    },
  };
}
