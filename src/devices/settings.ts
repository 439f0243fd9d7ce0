// `edgeml devices ca` and `edgeml devices provision`: one table each (see src/settings/).
import type { SettingsTable } from '../settings/index.js';

export const CA_SETTINGS = {
  out: { kind: 'path', value: '<dir>', help: 'folder to create it in' },
  name: { kind: 'string', value: '<cn>', default: 'edgeml fleet CA', help: "the CA certificate's common name" },
  days: { kind: 'count', min: 1, value: '<n>', default: '3650', help: 'validity in days' },
} as const satisfies SettingsTable;

export const PROVISION_SETTINGS = {
  ca: { kind: 'path', value: '<dir>', help: "the fleet CA folder ('edgeml devices ca')" },
  device: { kind: 'string', value: '<id>', help: "a device: the certificate's CN is its id, its MQTT user name" },
  operator: { kind: 'string', value: '<name>', help: "an operator (fleet status, promote --gate): CN 'operator:NAME'" },
  server: { kind: 'string', value: '<host>', help: 'the broker: a server certificate for this host name or IP address' },
  out: { kind: 'path', value: '<dir>', help: 'folder to write the key and certificates in (one per identity)' },
  days: { kind: 'count', min: 1, value: '<n>', default: '825', help: "validity in days (at most the CA's)" },
} as const satisfies SettingsTable;
