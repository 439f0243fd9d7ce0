// Device identity: the fleet CA, certificates for devices, operators and brokers, and the MQTT
// connection made with them.
export { CA_FILES, DEVICE_ID, OPERATOR_PREFIX, checkDeviceId, createCa, issue, readIdentity, type Identity, type IssueRequest, type Issued, type Role } from './certs.js';
export { checkBrokerUrl, connectBroker, describeBrokerError, isTransient, type BrokerOptions } from './broker.js';
