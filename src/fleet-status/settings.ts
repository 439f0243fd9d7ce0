// `edgeml fleet status`'s flags, also read by `edgeml promote --gate` and the promote action:
// one table (see src/settings/). The operator's certificate is files here; the action takes
// PEM text from secrets instead (PROMOTE_SETTINGS' broker-cert, broker-key, broker-ca).
import type { SettingsTable } from '../settings/index.js';

export const STATUS_SETTINGS = {
  broker: { kind: 'string', value: '<url>', help: "the fleet's MQTT broker, e.g. mqtts://broker:8883", input: { description: "The fleet's MQTT broker, e.g. mqtts://broker.example:8883." } },
  fleet: { kind: 'string', value: '<name>', help: 'the fleet (topics edgeml/<fleet>/<device>/...)', input: { description: 'The fleet name (topics edgeml/FLEET/DEVICE/...).' } },
  cert: { kind: 'path', value: '<file>', help: "an operator's certificate ('edgeml devices provision --operator NAME')" },
  key: { kind: 'path', value: '<file>', help: "the operator's private key" },
  ca: { kind: 'path', value: '<file>', help: "the fleet CA's certificate (ca.crt)" },
  wait: { kind: 'duration', value: '<time>', default: '10s', unit: 'ms', help: 'read reports at most this long (it stops earlier once the retained reports are in)', input: {} },
  silentAfter: {
    kind: 'duration', value: '<time>', default: '1h', unit: 'ms', help: 'a device with no report for this long is silent',
    input: { description: 'A device with no report for this long is silent (left out of the gate).' },
  },
  markdown: { kind: 'path', value: '<file>', help: 'write the Markdown report here (e.g. $GITHUB_STEP_SUMMARY: appended)' },
} as const satisfies SettingsTable;

export const FLEET_STATUS_SETTINGS = {
  ...STATUS_SETTINGS,
  json: { kind: 'path', value: '<file>', help: 'write the whole status document here (every device)' },
} as const satisfies SettingsTable;
