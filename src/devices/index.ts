// Device identity: the fleet CA, certificates for devices, operators and brokers, and the MQTT
// connection made with them.
export { CA_FILES, DEVICE_ID, OPERATOR_PREFIX, checkDeviceId, createCa, issue, readIdentity } from './certs.js';
export { checkBrokerUrl, connectBroker, describeBrokerError, isTransient } from './broker.js';
export type * from './types.js';
