// `edgeml devices ca` and `edgeml devices provision`: one table each (see src/settings/), and the
// broker connection the fleet commands and the agent share.
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

// The fleet's MQTT broker. Its name and its CA mean the same to a device and to an operator; each
// side's certificate and key are its own (a device's client.crt, an operator's 'operator:NAME').
const FLEET_HELP = 'the fleet (topics edgeml/<fleet>/<device>/...)';
const CA_HELP = "the fleet CA's certificate (ca.crt)";

/** The fleet's name and its CA's certificate; `when` starts their help ('with --broker: '). */
export function fleetSettings(when = '') {
  return {
    fleet: { kind: 'string', value: '<name>', help: `${when}${FLEET_HELP}`, input: { description: 'The fleet name (topics edgeml/FLEET/DEVICE/...).' } },
    ca: { kind: 'path', value: '<file>', help: `${when}${CA_HELP}` },
  } as const satisfies SettingsTable;
}

/**
 * The broker as an operator reads it (fleet status, promote --gate, drift --broker), the
 * operator's certificate as files. `when` starts the help of the settings after --broker where the
 * broker is one source of several (drift: 'with --broker: ').
 */
export function operatorBrokerSettings(when = '') {
  const shared = fleetSettings(when);
  return {
    broker: { kind: 'string', value: '<url>', help: "the fleet's MQTT broker, e.g. mqtts://broker:8883", input: { description: "The fleet's MQTT broker, e.g. mqtts://broker.example:8883." } },
    fleet: shared.fleet,
    cert: { kind: 'path', value: '<file>', help: `${when}an operator's certificate ('edgeml devices provision --operator NAME')` },
    key: { kind: 'path', value: '<file>', help: `${when}the operator's private key` },
    ca: shared.ca,
    wait: { kind: 'duration', value: '<time>', default: '10s', unit: 'ms', help: `${when}read reports at most this long (it stops earlier once the retained reports are in)`, input: {} },
  } as const satisfies SettingsTable;
}

export const OPERATOR_BROKER_SETTINGS = operatorBrokerSettings();
