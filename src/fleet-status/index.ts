// What the fleet reports back: the device messages (status, telemetry, the state set), their
// aggregation into a fleet status, its rendering, and the rollout gate on it.
export {
  FINAL_STATES, FLEET_NAME, MAX_MESSAGE_BYTES, emptyHistogram, merge, parseStatus, parseTelemetry, quantile, record, summary, topicDevice, topics,
} from './messages.js';
export { FLEET_STATUS_SCHEMA, STATES, STATUS_SCHEMA, TELEMETRY_SCHEMA } from './types.js';
export type { CountRow, DeviceRow, DeviceState, DeviceStatus, DeviceTelemetry, FleetStatus, GateResult, GateThresholds, GateVerdict, Histogram, Message, ReleaseRef } from './types.js';
export { aggregate, cohortBand } from './aggregate.js';
export { LIST_LIMIT, fleetMarkdown, fleetText } from './render.js';
export { checkFleet, collect, readFleetStatus, type CollectOptions } from './collect.js';
export { evaluateGate } from './gate.js';
