// One MQTT 5 connection to the fleet's broker with the caller's certificate (mqtts://), or
// without one (mqtt://, a broker on the same box). A connection that fails reads as one line
// naming the broker and what to fix: nothing listens, the broker refused our certificate, the
// broker's certificate is not from our CA, or the broker refused the CONNECT.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { UserError, oneLine } from '../errors.js';
import { readIdentity } from './certs.js';
import type { BrokerOptions } from './types.js';

export function checkBrokerUrl(url: string | undefined, flag = '--broker'): string {
  if (!url) throw new UserError(`${flag} is required: the fleet's MQTT broker, e.g. mqtts://broker.example:8883`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`${flag} ${JSON.stringify(url)}: not a URL; use mqtts://HOST:PORT (or mqtt:// for a broker without TLS)`);
  }
  if (u.protocol !== 'mqtts:' && u.protocol !== 'mqtt:') throw new UserError(`${flag} ${url}: use mqtts://HOST:PORT (or mqtt:// for a broker without TLS)`);
  return url;
}

const CERT_REFUSED: Record<string, string> = {
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'certificate expired',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'unknown CA: issued by a CA the broker does not trust',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'bad certificate',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'certificate unknown',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'a client certificate is required',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'access denied',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'TLS handshake failure',
};
const SERVER_UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

/** What went wrong, as the end of a line that starts with the broker's URL; and whether trying later may help. */
export function describeBrokerError(e: unknown): { text: string; transient: boolean } {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && CERT_REFUSED[code]) return { text: `refused our client certificate (${CERT_REFUSED[code]}); provision the device again from the fleet CA`, transient: false };
  if (typeof code === 'string' && SERVER_UNTRUSTED.has(code)) return { text: `presented a certificate we do not trust (${code}); --ca must be the fleet CA that issued the broker's certificate for this host name`, transient: false };
  if (typeof code === 'number') {
    // MQTT 5 CONNACK reason codes.
    const why = ({ 133: 'client id not valid', 134: 'bad user name or password', 135: 'not authorized', 138: 'banned', 140: 'bad authentication method' } as Record<number, string>)[code];
    return { text: `refused the connection (${why ?? `reason code ${code}`})`, transient: false };
  }
  if (typeof code === 'string' && UNREACHABLE.has(code)) return { text: `is unreachable (${code})`, transient: true };
  return { text: `failed: ${oneLine(e)}`, transient: true };
}

/** Connects once (no automatic reconnect: callers decide when to try again). */
export function connectBroker(o: BrokerOptions): Promise<MqttClient> {
  const url = checkBrokerUrl(o.url);
  const options: IClientOptions = {
    protocolVersion: 5, clientId: o.clientId, clean: o.clean ?? true, reconnectPeriod: 0,
    connectTimeout: o.connectTimeoutMs ?? 10_000, keepalive: 60,
    properties: o.clean === false ? { sessionExpiryInterval: 7 * 86_400 } : undefined,
  };
  if (url.startsWith('mqtts:')) {
    const id = readIdentity(o);
    Object.assign(options, { cert: id.cert, key: id.key, ca: id.ca, rejectUnauthorized: true });
  }
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, options);
    let done = false;
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      client.end(true);
      const d = describeBrokerError(e);
      reject(Object.assign(new UserError(`broker ${url} ${d.text}`), { transient: d.transient }));
    };
    client.once('connect', () => {
      if (done) return;
      done = true;
      client.removeAllListeners('error');
      client.on('error', () => undefined); // later errors surface as failed publishes
      resolve(client);
    });
    client.once('error', fail);
    // A TLS 1.3 server refuses a client certificate after the handshake: the socket just closes.
    client.once('close', () => fail(Object.assign(new Error('the broker closed the connection before CONNACK (a refused client certificate, or the wrong port)'), { code: 'ECLOSED' })));
  });
}

/** Whether a failure of connectBroker may pass by itself (the link), rather than needing a fix (a certificate). */
export function isTransient(e: unknown): boolean {
  return (e as { transient?: unknown })?.transient === true;
}
