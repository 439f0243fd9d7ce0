// The device identity area's types: what a certificate is issued for and gives back, and the
// broker connection's options.

export type Role = 'device' | 'operator' | 'server';

export interface IssueRequest {
  role: Role;
  /** The device id, operator name or broker host name / IP address. */
  name: string;
  notBefore?: Date;
  notAfter?: Date;
}

export interface Issued {
  role: Role;
  commonName: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  files: { key: string; cert: string; ca: string };
}

/** A client identity: the files of its key, its certificate and the CA that issued it. */
export interface Identity { key: string; cert: string; ca: string }

export interface BrokerOptions {
  url: string;
  cert?: string;
  key?: string;
  ca?: string;
  clientId: string;
  /** Keep the session (and QoS 1 messages queued for us) across reconnects. */
  clean?: boolean;
  connectTimeoutMs?: number;
}
