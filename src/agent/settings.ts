// `edgeml agent`'s flags: one table each (see src/settings/) for the channel it follows
// (AGENT_SETTINGS), the broker it reports to (AGENT_REPORT_SETTINGS: the fleet and its CA shared
// with the operator's commands, the device's own certificate) and --serve (AGENT_SERVE_SETTINGS:
// the served model's settings shared with `edgeml serve`, and the agent's own --serve, --label,
// --dispatch). The checks that need a file or several flags are in src/cli/agent.ts.
import { fleetSettings } from '../devices/settings.js';
import type { SettingsTable } from '../settings/index.js';
import { SERVE_SETTINGS } from '../serve/index.js';

export const AGENT_SETTINGS = {
  channelUrl: { kind: 'string', value: '<url>', help: 'where the channel is served (static HTTP; a GitHub release download URL, .../releases/download/TAG, reads a release store)' },
  root: { kind: 'path', value: '<file>', help: "the channel's trusted root.json, shipped with the device" },
  ociMirror: {
    kind: 'string', value: '<url>',
    help: 'a registry mirroring the releases pushed with publish --oci (http://HOST:PORT): the model bytes come from it by digest, verified against the channel; the channel is used when it fails',
  },
  channel: { kind: 'string', value: '<name>', default: 'stable', help: 'canary, beta or stable' },
  target: { kind: 'string', value: '<name>', help: 'the artifact target this device runs, e.g. cpu-int8' },
  dir: { kind: 'path', value: '<dir>', help: 'state folder: slots, current -> slots/a|b, status.json' },
  deviceId: { kind: 'string', value: '<id>', help: 'decides the rollout cohort (default: EDGEML_DEVICE_ID or /etc/machine-id)' },
  model: { kind: 'string', value: '<name>', help: 'the model, when the channel holds several' },
  accelerator: { kind: 'string', value: '<name>', default: 'none', help: 'what this device has beyond a CPU (cuda, tensorrt, openvino...)' },
  maxLatency: {
    kind: 'duration', value: '<time>', unit: 'ms',
    help: "acceptance: the latency percentile of the release's budget (the median without one), timed on the release's inputs, must be at most this, e.g. 50ms; overrides the release's limit",
  },
  once: { kind: 'boolean', help: 'poll once and exit: 0 up to date or installed, 1 refused, failed, rolled back or unreachable' },
  interval: {
    kind: 'duration', value: '<time>', default: '5m', unit: 'ms',
    help: 'time between polls (at least 1s); after polls that fail to reach the channel, an exponential backoff with jitter, up to 1h',
  },
  timeout: {
    kind: 'duration', value: '<time>', default: '60s', unit: 'ms',
    help: 'give up on a download (or a metadata request) that gets no data this long; a cut download resumes on the next poll',
  },
} as const satisfies SettingsTable;

const TLS = 'with --broker mqtts://: ';

export const AGENT_REPORT_SETTINGS = {
  broker: { kind: 'string', value: '<url>', help: 'report status and telemetry to this MQTT broker, e.g. mqtts://broker:8883' },
  cert: { kind: 'path', value: '<file>', help: `${TLS}this device's certificate (client.crt from 'edgeml devices provision')` },
  key: { kind: 'path', value: '<file>', help: `${TLS}this device's private key (client.key)` },
  ca: fleetSettings(TLS).ca,
  fleet: fleetSettings('with --broker: ').fleet,
  reportQueue: { kind: 'count', min: 1, value: '<n>', default: '1000', help: 'with --broker: reports kept on disk under --dir while the broker is unreachable (the oldest go first)' },
  metrics: { kind: 'string', value: '<addr>', help: 'serve the same figures for Prometheus at http://ADDR/metrics, e.g. 127.0.0.1:9464 (not with --once)' },
} as const satisfies SettingsTable;

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

/** Every flag of `edgeml agent`, parsed at once. */
export const AGENT_FLAGS = { ...AGENT_REPORT_SETTINGS, ...AGENT_SETTINGS, ...AGENT_SERVE_SETTINGS } as const satisfies SettingsTable;
