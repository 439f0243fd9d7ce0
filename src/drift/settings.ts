// monitoring: of edgeml.yml turned into the thresholds drift is judged with and the telemetry
// window the server fills; a flag given on the command line wins over the file. The defaults and
// why they are what they are: docs/serving-and-drift.md.
import type { MonitoringConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { parseDuration } from '../units.js';
import { OPERATOR_BROKER_SETTINGS, operatorBrokerSettings } from '../devices/settings.js';
import type { SettingsTable } from '../settings/index.js';
import type { DriftSettings } from './types.js';

/** Requests per telemetry window when neither a flag nor monitoring.window.requests says. */
export const DEFAULT_WINDOW_REQUESTS = 100;
/** Drifted windows in a row that fire the trigger when neither a flag nor monitoring: says. */
export const DEFAULT_WINDOWS_IN_A_ROW = 3;

/** `edgeml drift`'s settings: one table (see src/settings/). */
export const DRIFT_SETTINGS = {
  reference: { kind: 'path', value: '<file>', help: "the reference profile ('edgeml profile'); without it each window is judged by the verdict its device made against its release's signed profile" },
  telemetry: { kind: 'path', value: '<dir>', help: "the folder of telemetry windows ('edgeml serve --telemetry', 'edgeml agent --serve --telemetry')" },
  ...operatorBrokerSettings('with --broker: '),
  broker: { ...OPERATOR_BROKER_SETTINGS.broker, help: "read the windows from the fleet's MQTT broker instead: the retained telemetry of 'edgeml agent --serve --broker' carries each device's last windows" },
  config: { kind: 'path', value: '<file>', help: 'read the thresholds and the trigger rule from monitoring: of this edgeml.yml' },
  windowsInARow: { kind: 'count', min: 1, value: '<n>', help: `drifted windows in a row that fire the trigger (default: monitoring.windows-in-a-row, else ${DEFAULT_WINDOWS_IN_A_ROW})` },
  json: { kind: 'path', value: '<file>', help: 'write the report here' },
  markdown: { kind: 'path', value: '<file>', help: 'write the table as Markdown (a job summary or an issue)' },
  dispatch: { kind: 'string', value: '<owner/repo>', help: 'when the trigger fires, send repository_dispatch (event_type edgeml-drift) to this repository, once per trigger (token in GITHUB_TOKEN or GH_TOKEN)' },
  version: { kind: 'string', value: '<version>', help: 'with --dispatch: the release version the device runs, for the payload' },
  cohort: { kind: 'string', value: '<name>', help: 'with --dispatch: the rollout cohort or channel of the devices, for the payload' },
  dispatchState: { kind: 'path', value: '<file>', help: 'with --dispatch: where the triggers already sent are kept (default: TELEMETRY/.edgeml-dispatched.json)' },
} as const satisfies SettingsTable;

/** `edgeml profile`'s settings: one table (see src/settings/). */
export const PROFILE_SETTINGS = {
  model: { kind: 'path', value: '<file>', help: 'the ONNX model' },
  data: { kind: 'pairs', value: '<name=file.npy|number>', help: 'reference rows for an input (its dataset or calibration data), or a constant (repeatable)' },
  name: { kind: 'string', value: '<name>', help: 'the model name (default: the file name without extension)' },
  out: { kind: 'path', value: '<file>', help: 'where to write the profile (JSON)' },
} as const satisfies SettingsTable;

/** `edgeml drift-issue`'s settings: one table (see src/settings/). */
export const DRIFT_ISSUE_SETTINGS = {
  event: { kind: 'path', value: '<file>', help: 'the event document of the run (default: GITHUB_EVENT_PATH)' },
  repo: { kind: 'string', value: '<owner/repo>', help: 'the repository (default: GITHUB_REPOSITORY)' },
} as const satisfies SettingsTable;

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
