// What the fleet reports back: the device messages (status, telemetry, the state set), their
// aggregation into a fleet status, its rendering, and the rollout gate on it.
export {
  FINAL_STATES, FLEET_NAME, MAX_MESSAGE_BYTES, STATES, STATUS_SCHEMA, TELEMETRY_SCHEMA, emptyHistogram, merge, parseStatus, parseTelemetry,
  quantile, record, summary, topicDevice, topics,
  type DeviceState, type DeviceStatus, type DeviceTelemetry, type Histogram, type ReleaseRef,
} from './messages.js';
export { FLEET_STATUS_SCHEMA, aggregate, cohortBand, type CountRow, type DeviceRow, type FleetStatus, type Message } from './aggregate.js';
export { LIST_LIMIT, fleetMarkdown, fleetText } from './render.js';
export { checkFleet, collect, readFleetStatus, type CollectOptions } from './collect.js';
export { evaluateGate, type GateResult, type GateThresholds, type GateVerdict } from './gate.js';
