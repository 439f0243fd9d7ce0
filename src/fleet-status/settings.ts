// `edgeml fleet status`'s flags, also read by `edgeml promote --gate` and the promote action:
// one table (see src/settings/), the broker's rows shared with drift (OPERATOR_BROKER_SETTINGS,
// src/devices/settings.ts). The operator's certificate is files here; the action takes PEM text
// from secrets instead (PROMOTE_SETTINGS' broker-cert, broker-key, broker-ca).
import { OPERATOR_BROKER_SETTINGS } from '../devices/settings.js';
import type { SettingsTable } from '../settings/index.js';

export const STATUS_SETTINGS = {
  ...OPERATOR_BROKER_SETTINGS,
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
