// The fleet's identities: one CA (ECDSA P-256), and a key and X.509 certificate per device, per
// operator and per broker, issued by it. The broker trusts the CA and takes the client
// certificate's subject CN as the MQTT user name, so the CN is what the ACL confines.
import { X509Certificate as NodeCertificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { UserError, oneLine } from '../errors.js';
import type { Identity, IssueRequest, Issued } from './types.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A device id is the CN, the MQTT user name and a topic level: no '/', '+', '#', spaces or ':'. */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Operators' CNs carry a prefix no device id can have, so an ACL `user` line never matches a device. */
export const OPERATOR_PREFIX = 'operator:';

export function checkDeviceId(id: string, flag = '--device'): string {
  if (!DEVICE_ID.test(id)) throw new UserError(`${flag} ${JSON.stringify(id)}: a device id is 1-128 letters, digits, '.', '_' or '-' (it becomes a topic level and the MQTT user name)`);
  return id;
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function writePublic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

async function pemOfPrivate(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // a positive INTEGER
  return b.toString('hex');
}

export const CA_FILES = { key: 'ca.key', cert: 'ca.crt' } as const;

/** `edgeml devices ca`: a new fleet CA in `out` (ca.key mode 0600, ca.crt). Refuses to replace one. */
export async function createCa(out: string, opts: { name?: string; days?: number } = {}): Promise<{ cert: string; key: string; notAfter: string }> {
  const key = join(out, CA_FILES.key);
  const cert = join(out, CA_FILES.cert);
  if (existsSync(key) || existsSync(cert)) throw new UserError(`--out ${out}: already holds a fleet CA (${CA_FILES.cert}); every certificate it issued depends on it, so pick another folder`);
  mkdirSync(out, { recursive: true });
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (opts.days ?? 3650) * DAY_MS);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: [{ CN: [opts.name ?? 'edgeml fleet CA'] }], notBefore, notAfter, signingAlgorithm: ALG, keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writePrivate(key, await pemOfPrivate(keys.privateKey));
  writePublic(cert, ca.toString('pem'));
  return { cert, key, notAfter: notAfter.toISOString() };
}

async function loadCa(dir: string): Promise<{ cert: x509.X509Certificate; pem: string; key: CryptoKey }> {
  const certFile = join(dir, CA_FILES.cert);
  const keyFile = join(dir, CA_FILES.key);
  if (!existsSync(certFile) || !existsSync(keyFile)) throw new UserError(`--ca ${dir}: no ${CA_FILES.cert} and ${CA_FILES.key} there; create the fleet CA with 'edgeml devices ca --out ${dir}'`);
  try {
    const pem = readFileSync(certFile, 'utf8');
    const cert = new x509.X509Certificate(pem);
    const der = createPrivateKey(readFileSync(keyFile)).export({ format: 'der', type: 'pkcs8' });
    const key = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']) as CryptoKey;
    return { cert, pem, key };
  } catch (e) {
    throw new UserError(`--ca ${dir}: ${CA_FILES.cert} or ${CA_FILES.key} is not a P-256 CA made by 'edgeml devices ca' (${oneLine(e)})`);
  }
}

function commonNameOf(req: IssueRequest): string {
  if (req.role === 'device') return checkDeviceId(req.name);
  if (req.role === 'operator') {
    if (!DEVICE_ID.test(req.name)) throw new UserError(`--operator ${JSON.stringify(req.name)}: use 1-128 letters, digits, '.', '_' or '-'`);
    return `${OPERATOR_PREFIX}${req.name}`;
  }
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(req.name)) throw new UserError(`--server ${JSON.stringify(req.name)}: give the broker's host name or IP address`);
  return req.name;
}

/** `edgeml devices provision`: a key and a certificate issued by the CA in `caDir`, and ca.crt, in `out`. */
export async function issue(caDir: string, out: string, req: IssueRequest): Promise<Issued> {
  const cn = commonNameOf(req);
  const ca = await loadCa(caDir);
  const notBefore = req.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(Math.min((req.notAfter ?? new Date(notBefore.getTime() + 825 * DAY_MS)).getTime(), ca.cert.notAfter.getTime()));
  const base = req.role === 'server' ? 'server' : 'client';
  const files = { key: join(out, `${base}.key`), cert: join(out, `${base}.crt`), ca: join(out, 'ca.crt') };
  if (existsSync(files.key)) throw new UserError(`--out ${out}: already holds ${base}.key; give each ${req.role} its own folder`);
  mkdirSync(out, { recursive: true });
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const usage = req.role === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([usage], false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (req.role === 'server') {
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: isIP(cn) ? 'ip' : 'dns', value: cn }], false));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: [{ CN: [cn] }], issuer: ca.cert.subject, notBefore, notAfter,
    signingAlgorithm: ALG, publicKey: keys.publicKey, signingKey: ca.key, extensions,
  });
  writePrivate(files.key, await pemOfPrivate(keys.privateKey));
  writePublic(files.cert, cert.toString('pem'));
  writePublic(files.ca, ca.pem);
  return { role: req.role, commonName: cn, serial: cert.serialNumber, notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString(), files };
}

/**
 * Reads the client identity for a TLS connection and checks it before the broker does, so a
 * refusal reads as one line naming the file and the fix: expired, not yet valid, issued by a CA
 * other than `--ca`, or a key that does not belong to the certificate.
 */
export function readIdentity(files: { cert?: string; key?: string; ca?: string }, now = new Date(), names = { cert: '--cert', key: '--key', ca: '--ca' }): Identity & { commonName: string } {
  for (const k of ['cert', 'key', 'ca'] as const) {
    if (!files[k]) throw new UserError(`${names[k]} is required with an mqtts:// broker: the ${k === 'ca' ? "fleet CA's ca.crt" : `client ${k === 'cert' ? 'certificate' : 'key'}`} from 'edgeml devices provision'`);
  }
  const read = (k: 'cert' | 'key' | 'ca') => {
    try {
      return readFileSync(files[k]!, 'utf8');
    } catch (e) {
      throw new UserError(`${names[k]} ${files[k]}: cannot read it (${oneLine(e)})`);
    }
  };
  const [certPem, keyPem, caPem] = [read('cert'), read('key'), read('ca')];
  let cert: NodeCertificate;
  let ca: NodeCertificate;
  try {
    cert = new NodeCertificate(certPem);
  } catch {
    throw new UserError(`${names.cert} ${files.cert}: not a PEM certificate`);
  }
  try {
    ca = new NodeCertificate(caPem);
  } catch {
    throw new UserError(`${names.ca} ${files.ca}: not a PEM certificate`);
  }
  if (Date.parse(cert.validTo) < now.getTime()) throw new UserError(`${names.cert} ${files.cert}: expired on ${new Date(cert.validTo).toISOString()}; issue a new one with 'edgeml devices provision'`);
  if (Date.parse(cert.validFrom) > now.getTime()) throw new UserError(`${names.cert} ${files.cert}: not valid before ${new Date(cert.validFrom).toISOString()}; check the device clock`);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new UserError(`${names.cert} ${files.cert}: not issued by the CA in ${names.ca} ${files.ca} (a foreign certificate); provision it from the fleet CA`);
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('mismatch');
  } catch {
    throw new UserError(`${names.key} ${files.key}: not the private key of ${names.cert} ${files.cert}`);
  }
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? '';
  return { cert: certPem, key: keyPem, ca: caPem, commonName };
}
