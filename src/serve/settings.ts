// `edgeml serve`'s settings: one table (see src/settings/), and the telemetry window and drift
// thresholds a served model is judged with, from the flags over monitoring: of edgeml.yml (the
// agent's --serve takes the same, with the same precedence: a flag given wins over the file).
import { loadConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { DRIFT_DEFAULTS, DEFAULT_WINDOW_REQUESTS, monitoringSettings, type DriftSettings } from '../drift/index.js';
import type { SettingsTable } from '../settings/index.js';

/** Smallest body limit a server may be given: a request's headers and a small tensor. */
const MIN_BODY_BYTES = 1024;

export const SERVE_SETTINGS = {
  model: { kind: 'path', value: '<file>', help: 'the ONNX model' },
  name: { kind: 'string', value: '<name>', help: 'the model name in the URL (default: the file name without extension)' },
  listen: { kind: 'string', value: '<host:port>', default: '127.0.0.1:8080', help: 'where to listen' },
  reference: { kind: 'path', value: '<file>', help: "the reference profile ('edgeml profile'): its histograms fill the telemetry windows" },
  telemetry: { kind: 'path', value: '<dir>', help: 'write a telemetry window (latency, drift histograms and verdict) to DIR/<name>.jsonl' },
  window: { kind: 'count', min: 1, value: '<n>', help: `requests per telemetry window (default: monitoring.window.requests, else ${DEFAULT_WINDOW_REQUESTS})` },
  windowTime: { kind: 'duration', value: '<time>', help: 'a telemetry window also ends after this long, e.g. 15m (default: monitoring.window.time, else none)' },
  config: { kind: 'path', value: '<file>', help: 'drift thresholds and the telemetry window from monitoring: of this edgeml.yml' },
  maxBody: { kind: 'count', min: MIN_BODY_BYTES, default: String(16 * 1024 * 1024), value: '<bytes>', unit: 'bytes', help: 'largest request body; a larger one gets 413' },
  maxConcurrent: { kind: 'count', min: 1, default: '4', value: '<n>', help: 'requests run at once; more get 503' },
} as const satisfies SettingsTable;

/** What a served model's windows are cut and judged with. */
export interface WindowSettings {
  window: number;
  /** null: windows end by count alone. */
  windowMs: number | null;
  drift: DriftSettings;
}

/**
 * The telemetry window and thresholds: `--window` / `--window-time` (already parsed, absent when
 * not given) over monitoring: of `config` (when given) over the defaults. A window shorter than a
 * second is refused, naming where it was written.
 */
export function windowSettings(given: { window?: number; windowTime?: number; config?: string }, flagOf: (name: string) => string = (n) => `--${n}`): WindowSettings {
  const m = monitoringSettings(given.config ? loadConfig(given.config).monitoring : {}, DRIFT_DEFAULTS, given.config);
  if (given.windowTime !== undefined && given.windowTime < 1000) {
    throw new UserError(`${flagOf('window-time')} ${given.windowTime}ms: at least 1s`);
  }
  return { window: given.window ?? m.window.requests, windowMs: given.windowTime ?? m.window.timeMs, drift: m.drift };
}
