// The fleet-status area's types that other areas use (index.ts exports them): the device
// messages, the fleet status document, the gate; and the constants the message types are made of.

export const STATUS_SCHEMA = 'edgeml-device-status/1';
export const TELEMETRY_SCHEMA = 'edgeml-device-telemetry/1';

/**
 * A device's deployment state. Transient while a poll works on a release: downloading, verifying,
 * installing, health-check. Final (the poll is over, nothing changes until the next one): idle,
 * success, failure, rolled-back, already-installed, unreachable.
 */
export const STATES = ['idle', 'downloading', 'verifying', 'installing', 'health-check', 'success', 'failure', 'rolled-back', 'already-installed', 'unreachable'] as const;
export type DeviceState = (typeof STATES)[number];

export interface ReleaseRef { version: string; release: number | null; sha256: string | null }

export interface DeviceStatus {
  schema: typeof STATUS_SCHEMA;
  deviceId: string;
  fleet: string;
  model: string | null;
  channel: string | null;
  target: string | null;
  /** The device's rollout bucket (0-99) for the desired release's salt. */
  cohort: number | null;
  desired: ReleaseRef | null;
  installed: ReleaseRef | null;
  state: DeviceState;
  error: { type: string; message: string } | null;
  retries: number;
  agentVersion: string | null;
  runtimeVersion: string | null;
  /** When this message was made, and when the device entered its state. */
  time: string;
  since: string | null;
  /** Reports the device's offline queue had to drop (oldest first) since it started counting. */
  reportsDropped: number;
}

export interface Histogram {
  /** Bucket i holds values in (2^((i-1)/8), 2^(i/8)] microseconds: about 9% wide. */
  scheme: 'log2-8-us';
  counts: Record<string, number>;
}

export interface DeviceTelemetry {
  schema: typeof TELEMETRY_SCHEMA;
  deviceId: string;
  fleet: string;
  version: string | null;
  windowStart: string;
  windowEnd: string;
  latency: (Histogram & { count: number; p50Ms: number | null; p90Ms: number | null; p99Ms: number | null }) | null;
  rssBytes: number | null;
  diskFreeBytes: number | null;
  cpuTempC: number | null;
  /** With `agent --serve`: the served model's last telemetry windows (src/drift), so a reader of this retained message has each device's streak. */
  serve?: { windows: unknown[] };
}

export const FLEET_STATUS_SCHEMA = 'edgeml-fleet-status/1';

export interface Message { topic: string; payload: Buffer | string }

export interface DeviceRow {
  deviceId: string;
  model: string | null;
  channel: string | null;
  cohort: number | null;
  desired: string | null;
  installed: string | null;
  state: DeviceState;
  final: boolean;
  error: { type: string; message: string } | null;
  lastSeen: string;
  lagging: boolean;
  failing: boolean;
  silent: boolean;
  retries: number;
  reportsDropped: number;
  telemetry: { p50Ms: number | null; p90Ms: number | null; p99Ms: number | null; rssBytes: number | null; diskFreeBytes: number | null; cpuTempC: number | null } | null;
}

export interface CountRow { release: string; channel: string; cohort: string; state: DeviceState; devices: number }

export interface FleetStatus {
  schema: typeof FLEET_STATUS_SCHEMA;
  fleet: string;
  time: string;
  silentAfterMs: number;
  devices: DeviceRow[];
  counts: CountRow[];
  /** Per installed version: the latency of the devices' last windows, merged. */
  latency: Array<{ version: string; devices: number; count: number; p50Ms: number | null; p90Ms: number | null; p99Ms: number | null }>;
  /** Messages no device row could use: topic, device and why. */
  malformed: Array<{ topic: string; device: string | null; reason: string }>;
  totals: { devices: number; lagging: number; failing: number; silent: number; malformed: number };
}

export interface GateThresholds {
  /** Reporting devices of the stage needed before anything is judged. */
  minDevices: number;
  /** Success share (percent of the stage's reporting devices) needed to go on. */
  successThreshold: number;
  /** Failure share (percent) above which the rollout stops (and rolls back with autoRollback). */
  errorThreshold: number;
}

export type GateVerdict = 'pass' | 'too-few-devices' | 'below-success-threshold' | 'error-threshold-crossed';

export interface GateResult {
  verdict: GateVerdict;
  version: string;
  /** The channel the stage's devices report (the one a rollback acts on). */
  channel: string | null;
  thresholds: GateThresholds;
  reporting: number;
  succeeded: number;
  failed: number;
  pending: number;
  silent: number;
  successPercent: number;
  errorPercent: number;
  line: string;
}
