// Signing keys of a channel: ed25519 key pairs made with Node's crypto, one PEM file per key,
// and public.json listing every public key with its TUF key id. Private keys are written 0600
// and never printed; a CI job gets only the files of the roles it signs.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { Key, Signature } from '@tufjs/models';
import { UserError, oneLine } from '../errors.js';
import type { Channel, KeysInitOptions, PublicKeyInfo, PublicKeys, RoleName, SigningKey } from './types.js';

export const CHANNELS = ['canary', 'beta', 'stable'] as const satisfies readonly Channel[];

export const PUBLIC_FILE = 'public.json';

export function isChannel(name: string): name is Channel {
  return (CHANNELS as readonly string[]).includes(name);
}

export function checkChannel(name: string, flag = '--channel'): Channel {
  if (!isChannel(name)) throw new UserError(`${flag} ${JSON.stringify(name)}: unknown channel; use one of ${CHANNELS.join(', ')}`);
  return name;
}

/** Raw 32-byte ed25519 public key as hex (the SPKI DER ends with it). */
function publicHex(key: KeyObject): string {
  const der = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('hex');
}

/** The TUF key object for an ed25519 public key (hex). */
export function tufKey(publicKeyHex: string): Key {
  return new Key({ keyID: keyIdOf(publicKeyHex), keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: publicKeyHex } });
}

/** Key id as the TUF spec defines it: sha256 of the canonical JSON of the public key object. */
export function keyIdOf(publicKeyHex: string): string {
  const obj = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: publicKeyHex } };
  return createHash('sha256').update(canonicalize(obj)).digest('hex');
}

/** A signer for `Metadata.sign`: ed25519 over the canonical bytes it is given. */
export function signerFor(key: SigningKey): (data: Buffer) => Signature {
  return (data) => new Signature({ keyID: key.keyId, sig: sign(null, data, key.privateKey).toString('hex') });
}

/** A fresh ed25519 key for `role`, kept in `file`: its PEM (private) and what public.json lists. */
export function newKey(role: RoleName, file: string): { info: PublicKeyInfo; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const hex = publicHex(publicKey);
  return { info: { role, file, keyId: keyIdOf(hex), public: hex }, pem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
}

/** Writes a private key 0600; never over an existing file. */
export function writePrivateKey(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600); // the umask may have widened it
}

/** Creates a fresh key set in `dir` (which must not already hold one). */
export function initKeys(dir: string, opts: KeysInitOptions = { rootKeys: 3, rootThreshold: 2 }): PublicKeys {
  if (opts.rootKeys < 1 || opts.rootThreshold < 1 || opts.rootThreshold > opts.rootKeys) {
    throw new UserError(`--threshold ${opts.rootThreshold}: must be between 1 and the number of root keys (${opts.rootKeys})`);
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(`--out ${dir}: is a file, not a folder; give a new (or empty) folder for the keys, e.g. --out keys`);
  }
  if (existsSync(join(dir, PUBLIC_FILE))) {
    throw new UserError(`${dir}: already holds a key set (${PUBLIC_FILE}); choose an empty folder, keys are never overwritten`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // an existing empty folder may be open to others
  const roles: Array<[RoleName, string]> = [
    ...Array.from({ length: opts.rootKeys }, (_, i): [RoleName, string] => ['root', `root-${i + 1}.pem`]),
    ['targets', 'targets.pem'], ['snapshot', 'snapshot.pem'], ['timestamp', 'timestamp.pem'],
    ...CHANNELS.map((c): [RoleName, string] => [c, `${c}.pem`]),
  ];
  const keys: PublicKeyInfo[] = [];
  for (const [role, file] of roles) {
    const key = newKey(role, file);
    writePrivateKey(join(dir, file), key.pem);
    keys.push(key.info);
  }
  const doc: PublicKeys = { schema: 'edgeml-keys/1', rootThreshold: opts.rootThreshold, keys };
  writePublicFile(join(dir, PUBLIC_FILE), `${JSON.stringify(doc, null, 2)}\n`, 'wx');
  return doc;
}

export function readPublicKeys(dir: string): PublicKeys {
  const file = join(dir, PUBLIC_FILE);
  let doc: PublicKeys;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as PublicKeys;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'missing' : `unreadable (${oneLine(e)})`}; give --keys the folder made by 'edgeml keys init'`);
  }
  if (doc?.schema !== 'edgeml-keys/1' || !Array.isArray(doc.keys) || !Number.isInteger(doc.rootThreshold)) {
    throw new UserError(`${file}: not an edgeml key list; give --keys the folder made by 'edgeml keys init'`);
  }
  return doc;
}

/** Loads one private key file; checks that it matches a public key listed for `role` in the channel. */
export function loadSigningKey(dir: string, file: string, role: RoleName, allowedKeyIds: string[]): SigningKey {
  const path = join(dir, file);
  if (!existsSync(path)) {
    throw new UserError(`${path}: missing; the ${role} key is needed to sign, copy it into --keys (or run 'edgeml keys init' for a new channel)`);
  }
  const key = readSigningKey(dir, file, role);
  const keyId = key.keyId;
  if (!allowedKeyIds.includes(keyId)) {
    if (existsSync(`${path}.new`)) {
      throw new UserError(`${path}: key ${keyId.slice(0, 12)} is no longer the channel's ${role} key: a rotation left ${file}.new; run 'edgeml keys rotate --role ${file.replace(/\.pem$/, '')}' again to finish it`);
    }
    throw new UserError(`${path}: key ${keyId.slice(0, 12)} is not a ${role} key of this channel; use the ${role} key that signed it`);
  }
  return key;
}

/** A public file (public.json, channel metadata): 0644 whatever the umask. */
export function writePublicFile(path: string, text: string, flag = 'w'): void {
  writeFileSync(path, text, { flag, mode: 0o644 });
  chmodSync(path, 0o644);
}

/** The keys folder must be its owner's alone: private keys in a folder others can list or enter are one chmod from leaking. */
export function checkKeysFolder(dir: string): void {
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077 && process.platform !== 'win32') {
    throw new UserError(`${dir}: the keys folder is open to group or others (mode ${mode.toString(8)}); run 'chmod 700 ${dir}'`);
  }
}

/** A private key file of ours: mode 0600 in a folder only its owner can read, PEM, ed25519. */
export function readSigningKey(dir: string, file: string, role: RoleName): SigningKey {
  const path = join(dir, file);
  checkKeysFolder(dir);
  const mode = statSync(path).mode & 0o077;
  if (mode && process.platform !== 'win32') {
    throw new UserError(`${path}: readable by group or others (mode ${(statSync(path).mode & 0o777).toString(8)}); run 'chmod 600 ${path}'`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch {
    throw new UserError(`${path}: not a PEM private key; use the file written by 'edgeml keys init'`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new UserError(`${path}: not an ed25519 key; use the file written by 'edgeml keys init'`);
  const hex = publicHex(privateKey);
  return { role, file, keyId: keyIdOf(hex), public: hex, privateKey };
}

/** Every private key file in `dir` that matches one of `keyIds` (for roles with several keys). */
export function loadKeysFor(dir: string, role: RoleName, keyIds: string[]): SigningKey[] {
  if (!existsSync(dir)) throw new UserError(`--keys ${dir}: no such folder; give the folder made by 'edgeml keys init'`);
  checkKeysFolder(dir);
  const pattern = role === 'root' ? /^root-\d+\.pem$/ : new RegExp(`^${role}\\.pem$`);
  const out: SigningKey[] = [];
  for (const file of readdirSync(dir).filter((f) => pattern.test(f)).sort()) {
    try {
      out.push(loadSigningKey(dir, file, role, keyIds));
    } catch (e) {
      if (role !== 'root') throw e;
    }
  }
  return out;
}
