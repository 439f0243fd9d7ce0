// `edgeml agent`'s --serve flags: one table (see src/settings/), the served model's settings
// shared with `edgeml serve` (SERVE_SETTINGS) and the agent's own (--serve, --label, --dispatch).
// The agent's other flags are still declared in src/cli/agent.ts.
import type { SettingsTable } from '../settings/index.js';
import { SERVE_SETTINGS } from '../serve/index.js';

export const AGENT_SERVE_SETTINGS = {
  serve: { kind: 'string', value: '<host:port>', help: 'serve the installed model over the Open Inference Protocol v2 REST API, swapped without a dropped request when a release is installed' },
  label: { kind: 'string', value: '<name>', help: "with --serve: this device's hardware label, as CI's runner label: latency drift compares the field p90 with CI's on it" },
  telemetry: { ...SERVE_SETTINGS.telemetry, help: 'with --serve: write a telemetry window (latency, drift histograms and verdict) to DIR/<model>.jsonl' },
  window: { ...SERVE_SETTINGS.window, help: `with --serve: ${SERVE_SETTINGS.window.help}` },
  windowTime: { ...SERVE_SETTINGS.windowTime, help: `with --serve: ${SERVE_SETTINGS.windowTime.help}` },
  config: { ...SERVE_SETTINGS.config, help: `with --serve: ${SERVE_SETTINGS.config.help}` },
  dispatch: {
    kind: 'string', value: '<owner/repo>',
    help: "with --serve: when monitoring.windows-in-a-row served windows in a row drift, send repository_dispatch (event_type edgeml-drift) to this repository, once per episode, as 'edgeml drift --dispatch' does",
  },
  tokenFile: { kind: 'path', value: '<file>', help: 'with --dispatch: a file (mode 600) holding a GitHub token with contents: write on the repository' },
} as const satisfies SettingsTable;
