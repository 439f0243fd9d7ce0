// A Mender Artifact (format version 3) per released target, for fleets already on Mender: a
// module-image of type `single-file` that installs the model file into `dest_dir` on the device.
// Layout (an uncompressed tar, in this order): version, manifest (sha256sum lines over every other
// file, payload files as data/0000/<name>), manifest.sig (base64 signature of the manifest),
// header.tar.gz (header-info, headers/0000/type-info), data/0000.tar.gz (the payload files).
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { UserError, oneLine } from '../errors.js';
import { publishRelease } from './release.js';
import type { MenderNaming, MenderOptions, MenderRequest, MenderSettings, PublishedRelease } from './store-types.js';
import type { ArtifactInput, ChannelStorage, PublishRequest, ReleaseResult } from './types.js';

interface Entry {
  name: string;
  data: Buffer;
}

// Fixed metadata for reproducible bytes: the same release gives the same artifact.
const HEADER = { mode: 0o600, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: new Date(0) };

/** An uncompressed tar of `entries`, in order, with fixed owners and times. */
export async function tarOf(entries: Entry[], mode = HEADER.mode): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => p.entry({ ...HEADER, mode, name: e.name, size: e.data.length }, e.data, (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const KEY_HINT = "give an ECDSA P-256 or RSA key, e.g. 'openssl ecparam -genkey -name prime256v1 -noout -out mender.pem'";

/** Parses a Mender signing key, ECDSA (P-256) or RSA, from its PEM text; `where` names it in messages (never its content). */
export function parseMenderKey(pem: string | Buffer, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new UserError(`${where}: not a PEM private key (${oneLine(e)}); ${KEY_HINT}`);
  }
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (!(type === 'rsa' || (type === 'ec' && curve === 'prime256v1'))) {
    throw new UserError(`${where}: a ${type}${curve ? ` ${curve}` : ''} key; Mender verifies ECDSA P-256 or RSA signatures, give one of those`);
  }
  return key;
}

/** The PEM text of a Mender key file. */
export function readMenderKey(file: string, flag = '--mender-key'): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${oneLine(e)})`}; ${KEY_HINT}`);
  }
}

/** Loads a Mender signing key file: ECDSA (P-256) or RSA, PEM. */
export function loadMenderKey(file: string, flag = '--mender-key'): KeyObject {
  return parseMenderKey(readMenderKey(file, flag), `${flag} ${file}`);
}

/** Mender's signature of the manifest: RSA PKCS#1 v1.5 or ECDSA as raw r||s, sha256, base64. */
function signManifest(manifest: Buffer, key: KeyObject): Buffer {
  const sig = key.asymmetricKeyType === 'ec' ? sign('sha256', manifest, { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', manifest, key);
  return Buffer.from(sig.toString('base64'));
}

export async function menderArtifact(file: Buffer, o: MenderOptions): Promise<Buffer> {
  const payload: Entry[] = [
    { name: o.fileName, data: file },
    { name: 'dest_dir', data: Buffer.from(o.destDir) },
    { name: 'filename', data: Buffer.from(o.fileName) },
    { name: 'permissions', data: Buffer.from('644') },
  ];
  const version = json({ format: 'mender', version: 3 });
  const headerInfo = json({ payloads: [{ type: 'single-file' }], artifact_provides: { artifact_name: o.name }, artifact_depends: { device_type: o.deviceTypes } });
  const typeInfo = json({
    type: 'single-file',
    artifact_provides: { [`rootfs-image.${o.softwareName}.version`]: o.softwareVersion },
    clears_artifact_provides: [`rootfs-image.${o.softwareName}.*`],
  });
  const header = gzipSync(await tarOf([{ name: 'header-info', data: headerInfo }, { name: 'headers/0000/type-info', data: typeInfo }]));
  const data = gzipSync(await tarOf(payload, 0o644));
  const lines = [...payload.map((p) => `${sha256(p.data)}  data/0000/${p.name}`), `${sha256(header)}  header.tar.gz`, `${sha256(version)}  version`];
  const manifest = Buffer.from(`${lines.join('\n')}\n`);
  return tarOf([
    { name: 'version', data: version },
    { name: 'manifest', data: manifest },
    { name: 'manifest.sig', data: signManifest(manifest, o.key) },
    { name: 'header.tar.gz', data: header },
    { name: 'data/0000.tar.gz', data },
  ]);
}

/**
 * The Mender request of a publish, or null without mender: the key parsed and of a kind Mender
 * verifies, device types given, an absolute destination. Called before anything is published.
 */
export function menderRequest(s: MenderSettings, n: MenderNaming): MenderRequest | null {
  if (!s.mender) return null;
  if (s.key === undefined) throw new UserError(`${n.missing('mender-key')}; pass an ECDSA P-256 or RSA private key (PEM)${n.keyFrom}`);
  const key = parseMenderKey(s.key, n.name('mender-key'));
  if (!s.deviceTypes.length) throw new UserError(`${n.missing('mender-device-types')}; give the Mender device type(s) that may install it, e.g. raspberrypi4`);
  if (!s.destDir.startsWith('/')) throw new UserError(`${n.name('mender-dest-dir')} ${JSON.stringify(s.destDir)}: not an absolute path; give the folder on the device, e.g. /var/lib/edgeml/models`);
  return { key, deviceTypes: s.deviceTypes, destDir: s.destDir };
}

/** Where the artifact of one released target goes, next to the channel's metadata. */
export function menderPath(r: Pick<ReleaseResult, 'channel' | 'model' | 'version'>, target: string): string {
  return `mender/${r.channel}/${r.model}/${r.version}/${target}.mender`;
}

/** One signed Mender Artifact per target of a release just published; returns their paths in the store. */
export async function writeMenderArtifacts(storage: ChannelStorage, r: ReleaseResult, artifacts: ArtifactInput[], req: MenderRequest): Promise<string[]> {
  const out: string[] = [];
  for (const t of r.targets) {
    const a = artifacts.find((x) => x.target === t.target);
    if (!a) continue;
    const bytes = await menderArtifact(readFileSync(a.localPath), {
      name: `${r.model}-${r.version}-${t.target}`, softwareName: `${r.model}-${t.target}`, softwareVersion: r.version,
      deviceTypes: req.deviceTypes, destDir: req.destDir, fileName: a.file, key: req.key,
    });
    const path = menderPath(r, t.target);
    await storage.replace(path, bytes);
    out.push(path);
  }
  return out;
}

/**
 * Publishes a release and, when it is new and `mender` is asked for, its Mender Artifacts through
 * the same storage. An unchanged release writes none: it keeps those written when it was published.
 */
export async function publishWithMender(storage: ChannelStorage, keysDir: string, req: PublishRequest, mender: MenderRequest | null): Promise<PublishedRelease> {
  const done = await publishRelease(storage, keysDir, req);
  const files = mender && done.status === 'published' ? await writeMenderArtifacts(storage, done, req.artifacts, mender) : [];
  return { ...done, ...(files.length ? { mender: files } : {}) };
}
