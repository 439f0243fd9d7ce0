// A client for the OCI distribution API, as much of it as pushing model artifacts needs: blobs
// (HEAD, monolithic and chunked upload), manifests (GET, PUT by digest and by tag), token auth
// from the WWW-Authenticate challenge and basic auth, retries on 5xx and dropped connections.
// No maintained Node library pushes arbitrary OCI artifacts (@sigstore/oci only attaches
// referrers to an image), so this is ours; it speaks only what the spec says.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { UserError, oneLine } from '../errors.js';
import type { OciReference, RegistryOptions } from './store-types.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Parses `REGISTRY/REPO:TAG` (the registry host is required: no implied Docker Hub). */
export function parseOciReference(text: string, setting = '--oci'): OciReference {
  const hint = `${setting} ${JSON.stringify(text)}: give REGISTRY/REPOSITORY:TAG, e.g. ghcr.io/acme/digits:1.4.0 or localhost:5000/models/digits:1.4.0`;
  const slash = text.indexOf('/');
  if (slash <= 0) throw new UserError(hint);
  const registry = text.slice(0, slash);
  const rest = text.slice(slash + 1);
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(registry) || !(registry.includes('.') || registry.includes(':') || registry === 'localhost')) throw new UserError(hint);
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || rest.includes('@')) throw new UserError(hint);
  const repository = rest.slice(0, colon);
  const tag = rest.slice(colon + 1);
  if (!repository.split('/').every((c) => COMPONENT.test(c))) {
    throw new UserError(`${setting} ${JSON.stringify(text)}: repository ${JSON.stringify(repository)} must be lower-case letters, digits and . _ - separated by /`);
  }
  if (!TAG.test(tag)) throw new UserError(`${setting} ${JSON.stringify(text)}: tag ${JSON.stringify(tag)} must be letters, digits, . _ - (at most 128, not starting with . or -)`);
  return { registry, repository, tag };
}

const CLI_CREDENTIALS = 'set EDGEML_OCI_USERNAME and EDGEML_OCI_PASSWORD';

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A registry answered in a way that stops the push: the message says what and how to fix it. */
export class RegistryError extends UserError {
  constructor(message: string, readonly status: number | null = null) {
    super(message);
  }
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://x/token",service="x",scope="repository:a:pull"` → its parts. */
export function parseChallenge(header: string): Challenge | null {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1].toLowerCase(), params };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RegistryClient {
  readonly base: string;
  readonly chunkBytes: number;
  private authorization: string | null = null;
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly hint: string;

  constructor(readonly ref: OciReference, private readonly opts: RegistryOptions = {}) {
    this.base = `${opts.plainHttp ? 'http' : 'https'}://${ref.registry}`;
    this.chunkBytes = opts.chunkBytes ?? 32 * 1024 * 1024;
    this.attempts = opts.attempts ?? 4;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.hint = opts.credentialsHint ?? CLI_CREDENTIALS;
  }

  private where(): string {
    return `${this.ref.registry}/${this.ref.repository}`;
  }

  /** One request with auth, retries on 5xx and network errors, and the registry's error text on failure. */
  private async request(method: string, url: string, init: { headers?: Record<string, string>; body?: Buffer; expect: number[] }): Promise<Response> {
    const full = new URL(url, this.base).toString();
    let authTried = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (this.authorization) headers.authorization = this.authorization;
      let res: Response;
      try {
        res = await fetch(full, { method, headers, body: init.body as Uint8Array | undefined as BodyInit | undefined, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (e) {
        if (attempt < this.attempts) {
          await sleep(200 * 2 ** (attempt - 1));
          continue;
        }
        const cause = causeOf(e);
        const tls = !this.opts.plainHttp && /EPROTO|SSL|certificate|wrong version/i.test(`${cause} ${oneLine(e)}`) ? ' (a registry without TLS needs --plain-http)' : '';
        throw new RegistryError(`OCI registry ${this.ref.registry} is unreachable (${cause})${tls}; check the address and that it runs`);
      }
      if (res.status === 401 && !authTried) {
        authTried = true;
        await drain(res);
        await this.authenticate(res.headers.get('www-authenticate'));
        attempt--;
        continue;
      }
      if (res.status >= 500 && attempt < this.attempts) {
        await drain(res);
        await sleep(200 * 2 ** (attempt - 1));
        continue;
      }
      if (init.expect.includes(res.status)) return res;
      throw await this.failure(method, res);
    }
  }

  private async failure(method: string, res: Response): Promise<RegistryError> {
    const text = await res.text().catch(() => '');
    let detail = '';
    try {
      const errors = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors ?? [];
      detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    } catch {
      detail = text.slice(0, 200).replace(/\s+/g, ' ').trim();
    }
    const what = `${this.where()}: ${method} answered ${res.status}${detail ? ` (${detail})` : ''}`;
    if (res.status === 401) return new RegistryError(`${what}; the credentials were refused: ${this.hint} (for ghcr.io the workflow token with 'packages: write')`, 401);
    if (res.status === 403) return new RegistryError(`${what}; the credentials may not push here (for ghcr.io give the workflow 'permissions: packages: write')`, 403);
    if (res.status === 413) return new RegistryError(`${what}; the registry refused the size of the upload`, 413);
    return new RegistryError(what, res.status);
  }

  private async authenticate(header: string | null): Promise<void> {
    const ch = header ? parseChallenge(header) : null;
    const creds = this.opts.credentials;
    if (ch?.scheme === 'basic' || (!ch && creds)) {
      if (!creds) throw new RegistryError(`${this.where()}: the registry asks for a user name and password; ${this.hint}`, 401);
      this.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      return;
    }
    if (ch?.scheme !== 'bearer' || !ch.params.realm) throw new RegistryError(`${this.where()}: the registry asks for authentication it does not describe (WWW-Authenticate: ${JSON.stringify(header)})`, 401);
    const url = new URL(ch.params.realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    url.searchParams.set('scope', ch.params.scope ?? `repository:${this.ref.repository}:pull,push`);
    const headers: Record<string, string> = {};
    if (creds) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new RegistryError(`${this.where()}: the token service ${url.origin} is unreachable (${causeOf(e)})`);
    }
    if (!res.ok) {
      throw new RegistryError(`${this.where()}: the token service ${url.origin} refused (${res.status}); ${creds ? this.hint.replace(/^set /, 'check ') : this.hint}`, res.status);
    }
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : null;
    if (!token) throw new RegistryError(`${this.where()}: the token service ${url.origin} answered without a token`);
    this.authorization = `Bearer ${token}`;
  }

  private path(kind: 'blobs' | 'manifests', ref: string): string {
    return `/v2/${this.ref.repository}/${kind}/${ref}`;
  }

  /** Asks the registry for its API version first, so a wrong address fails with one clear line. */
  async ping(): Promise<void> {
    await drain(await this.request('GET', '/v2/', { expect: [200] }));
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request('HEAD', this.path('blobs', digest), { expect: [200, 404] });
    await drain(res);
    return res.status === 200;
  }

  /**
   * Uploads `size` bytes of `file` (or of `bytes`) as the blob `digest`, unless the registry has it.
   * Up to chunkBytes in one PUT; larger, or when the registry refuses the size of one PUT (413),
   * in PATCH chunks. Returns whether anything was uploaded.
   */
  async pushBlob(digest: string, size: number, source: { file: string } | { bytes: Buffer }, progress: (line: string) => void = () => undefined): Promise<boolean> {
    if (await this.hasBlob(digest)) return false;
    const read = (offset: number, length: number): Buffer => {
      if ('bytes' in source) return source.bytes.subarray(offset, offset + length);
      const buf = Buffer.alloc(length);
      const fd = openSync(source.file, 'r');
      try {
        let got = 0;
        while (got < length) {
          const n = readSync(fd, buf, got, length - got, offset + got);
          if (n === 0) throw new UserError(`${source.file} changed while it was uploaded (shorter than ${size} bytes); run again`);
          got += n;
        }
      } finally {
        closeSync(fd);
      }
      return buf;
    };
    if (size <= this.chunkBytes) {
      try {
        const location = await this.startUpload();
        await drain(await this.request('PUT', withDigest(location, digest), {
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body: read(0, size), expect: [201, 204],
        }));
        return true;
      } catch (e) {
        if (!(e instanceof RegistryError && e.status === 413)) throw e;
        // Some registries and proxies cap one request's body: fall back to chunks.
      }
    }
    let location = await this.startUpload();
    const chunk = Math.min(this.chunkBytes, Math.max(1, size));
    for (let offset = 0; offset < size; offset += chunk) {
      const n = Math.min(chunk, size - offset);
      const res = await this.request('PATCH', location, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(n), 'content-range': `${offset}-${offset + n - 1}` },
        body: read(offset, n), expect: [202],
      });
      await drain(res);
      location = res.headers.get('location') ?? location;
      progress(`oci: ${digest.slice(0, 19)}… ${offset + n} of ${size} bytes`);
    }
    await drain(await this.request('PUT', withDigest(location, digest), { headers: { 'content-length': '0' }, expect: [201, 204] }));
    return true;
  }

  private async startUpload(): Promise<string> {
    const res = await this.request('POST', `/v2/${this.ref.repository}/blobs/uploads/`, { headers: { 'content-length': '0' }, expect: [202] });
    await drain(res);
    const location = res.headers.get('location');
    if (!location) throw new RegistryError(`${this.where()}: the registry started an upload without a Location header`);
    return location;
  }

  /** The manifest a tag or digest names now (null when there is none). */
  async getManifest(reference: string): Promise<{ digest: string; mediaType: string; bytes: Buffer } | null> {
    const res = await this.request('GET', this.path('manifests', reference), { headers: { accept: MANIFEST_ACCEPT }, expect: [200, 404] });
    if (res.status === 404) {
      await drain(res);
      return null;
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    return { digest: res.headers.get('docker-content-digest') ?? sha256Digest(bytes), mediaType: res.headers.get('content-type') ?? '', bytes };
  }

  /** Stores a manifest under `reference` (a tag, or its own digest to push it untagged). */
  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    const res = await this.request('PUT', this.path('manifests', reference), {
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) }, body: bytes, expect: [201, 204],
    });
    await drain(res);
    const said = res.headers.get('docker-content-digest');
    if (said && said !== digest) throw new RegistryError(`${this.where()}: the registry stored the manifest as ${said}, not ${digest}; it changed the bytes`);
    return digest;
  }
}

/** What undici's "fetch failed" hides: ECONNREFUSED, a TLS error, a timeout. */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if ((e as { name?: string }).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? oneLine(e);
}

/** Reads and drops a body, so the connection goes back to the pool. */
async function drain(res: Response): Promise<void> {
  await res.arrayBuffer().catch(() => undefined);
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}
