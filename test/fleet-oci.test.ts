// `edgeml publish --oci`: each artifact pushed to Debian's docker-registry (the CNCF distribution
// registry) on 127.0.0.1 as a CNCF ModelPack artifact, read back with Debian's skopeo as the
// third-party client, its digest signed into the TUF release.
import { spawn as spawnChild, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MODELS, ROOT, edgeml, edgemlAsync, tempDir } from './helpers.js';
import { startRegistry, type Registry } from './registry-server.js';
import { tool } from './tools.js';
import { serveChannel } from './channel-server.js';

const REGISTRY = tool('docker-registry', 'docker-registry');
const SKOPEO = tool('skopeo', 'skopeo');
const HTPASSWD = tool('htpasswd', 'apache2-utils');

interface Manifest {
  mediaType: string;
  artifactType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number; annotations: Record<string, string> }>;
  annotations: Record<string, string>;
}

function skopeo(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(SKOPEO!, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function inspectRaw(ref: string, creds?: string): unknown {
  const r = skopeo(['inspect', '--tls-verify=false', '--raw', ...(creds ? ['--creds', creds] : []), `docker://${ref}`]);
  if (r.status !== 0) throw new Error(`skopeo inspect ${ref}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** skopeo copy to a dir: folder; the blobs land as files named by their hex digest. */
function copyOut(ref: string, creds?: string): string {
  const out = join(tempDir('edgeml-skopeo-'), 'copy');
  const r = skopeo(['copy', '--src-tls-verify=false', ...(creds ? ['--src-creds', creds] : []), `docker://${ref}`, `dir:${out}`]);
  if (r.status !== 0) throw new Error(`skopeo copy ${ref}: ${r.stderr}`);
  return out;
}

function keysAnd(base: string): string {
  const keys = join(base, 'keys');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  return keys;
}

/** An optimize manifest with two targets of the digits model (ort-optimized, int8-dynamic). */
function optimized(base: string): string {
  const out = join(base, 'optimized');
  const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized,int8-dynamic', '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  return join(out, 'manifest.json');
}

describe.skipIf(!REGISTRY || !SKOPEO)('publish --oci to docker-registry, read with skopeo', () => {
  let reg: Registry;
  let base: string;
  let keys: string;
  let manifest: string;
  beforeAll(async () => {
    reg = await startRegistry(REGISTRY!);
    base = tempDir('edgeml-oci-');
    keys = keysAnd(base);
    manifest = optimized(base);
  });
  afterAll(async () => reg?.stop());

  test('every artifact is a ModelPack manifest whose layers are exactly the files, and the release signs the digest', () => {
    const repo = join(base, 'channel');
    const json = join(base, 'published.json');
    const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--version', '1.0.0', '--manifest', manifest, '--model', 'digits',
      '--oci', `${reg.host}/models/digits:1.0.0`, '--plain-http', '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const published = JSON.parse(readFileSync(json, 'utf8'));
    expect(published.oci.status).toBe('pushed');
    expect(r.stdout).toContain(`oci: pushed ${reg.host}/models/digits:1.0.0@${published.oci.digest}`);
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    const index = inspectRaw(`${reg.host}/models/digits:1.0.0`) as { mediaType: string; artifactType: string; manifests: Array<{ digest: string; annotations: Record<string, string> }> };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((x) => x.annotations['io.github.edgeml.target'])).toEqual(['ort-optimized', 'int8-dynamic']);
    for (const art of m.artifacts) {
      const pushed = published.oci.targets.find((t: { target: string }) => t.target === art.target);
      expect(pushed.tag).toBe(`1.0.0-${art.target}`);
      const raw = inspectRaw(`${reg.host}/models/digits:1.0.0-${art.target}`) as Manifest;
      expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(raw.artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
      expect(raw.config.mediaType).toBe('application/vnd.cncf.model.config.v1+json');
      expect(index.manifests.find((x) => x.annotations['io.github.edgeml.target'] === art.target)!.digest).toBe(pushed.digest);
      const [weight, ...docs] = raw.layers;
      expect(weight.mediaType).toBe('application/vnd.cncf.model.weight.v1.raw');
      expect(weight.annotations['org.cncf.model.filepath']).toBe(art.path.split('/').pop());
      expect(JSON.parse(weight.annotations['org.cncf.model.file.metadata+json'])).toMatchObject({ name: weight.annotations['org.cncf.model.filepath'], size: art.bytes, typeflag: 48 });
      expect(docs.map((d) => [d.mediaType, d.annotations['org.cncf.model.filepath']])).toEqual([['application/vnd.cncf.model.doc.v1.raw', 'optimize-manifest.json']]);
      expect(weight.digest).toBe(`sha256:${art.sha256}`);
      // The bytes skopeo copies out are exactly the artifact and the manifest.
      const out = copyOut(`${reg.host}/models/digits:1.0.0-${art.target}`);
      expect(readFileSync(join(out, art.sha256)).equals(readFileSync(join(base, 'optimized', art.path)))).toBe(true);
      expect(readFileSync(join(out, docs[0].digest.slice(7))).equals(readFileSync(manifest))).toBe(true);
      const config = JSON.parse(readFileSync(join(out, raw.config.digest.slice(7)), 'utf8'));
      // The spec's config: descriptor, config and modelfs required, nothing else at the top.
      expect(Object.keys(config).sort()).toEqual(['config', 'descriptor', 'modelfs']);
      expect(config.descriptor).toMatchObject({ name: 'digits', version: '1.0.0', createdAt: m.createdAt });
      expect(config.config.format).toBe('onnx');
      expect(config.config.precision).toBe(art.target === 'int8-dynamic' ? 'int8,float32' : 'float32');
      expect(config.modelfs).toEqual({ type: 'layers', diffIds: raw.layers.map((l) => l.digest) });
      // The signed release names the same digest.
      const beta = JSON.parse(readFileSync(join(repo, readdirSync(repo).filter((f) => /^\d+\.beta\.json$/.test(f)).sort().pop()!), 'utf8'));
      const entry = Object.values(beta.signed.targets as Record<string, { custom: { edgeml: { target: string; oci: unknown } } }>).find((t) => t.custom.edgeml.target === art.target)!;
      expect(entry.custom.edgeml.oci).toEqual({ repository: `${reg.host}/models/digits`, tag: `1.0.0-${art.target}`, digest: pushed.digest });
    }
  });

  test('the same release again uploads nothing and moves no tag; a tag that names other content is refused unless --force', () => {
    const repo = join(base, 'channel');
    const json = join(base, 'again.json');
    const again = edgeml(['publish', '--repo', repo, '--keys', keys, '--version', '1.0.0', '--manifest', manifest, '--model', 'digits', '--oci', `${reg.host}/models/digits:1.0.0`, '--plain-http', '--json', json]);
    expect(again.status).toBe(0);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.oci.status).toBe('unchanged');
    expect(r.oci.targets.map((t: { uploadedBlobs: number }) => t.uploadedBlobs)).toEqual([0, 0]);
    const before = inspectRaw(`${reg.host}/models/digits:1.0.0`);
    const other = join(base, 'other');
    expect(edgeml(['optimize', '--model', MODELS.wakeword, '--target', 'ort-optimized', '--out', other]).status).toBe(0);
    const refused = edgeml(['publish', '--repo', join(base, 'channel2'), '--keys', keys, '--version', '2.0.0', '--manifest', join(other, 'manifest.json'), '--model', 'digits',
      '--oci', `${reg.host}/models/digits:1.0.0`, '--plain-http']);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^edgeml: error: --oci \S+: tag 1\.0\.0-ort-optimized already points at sha256:[0-9a-f]{64}, another artifact; publish a new version, or pass --force to move the tag$/);
    expect(inspectRaw(`${reg.host}/models/digits:1.0.0`)).toEqual(before);
    // Refused before anything was signed: the second channel was never created.
    expect(existsSync(join(base, 'channel2'))).toBe(false);
    const forced = edgeml(['publish', '--repo', join(base, 'channel2'), '--keys', keys, '--version', '2.0.0', '--manifest', join(other, 'manifest.json'), '--model', 'digits',
      '--oci', `${reg.host}/models/digits:1.0.0`, '--plain-http', '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.status).toBe(0);
    const moved = inspectRaw(`${reg.host}/models/digits:1.0.0`) as { manifests: unknown[] };
    expect(moved.manifests).toHaveLength(1);
  });

  test('a blob larger than --oci-chunk-size goes up in chunks and arrives whole', () => {
    const json = join(base, 'chunked.json');
    const r = edgeml(['publish', '--repo', join(base, 'channel3'), '--keys', keys, '--version', '1.0.0', '--manifest', manifest,
      '--oci', `${reg.host}/chunked/digits:1.0.0`, '--plain-http', '--oci-chunk-size', '10KiB', '--json', json]);
    // Progress, a line per chunk, and nothing else.
    expect(r.stderr.trim().split('\n').every((l) => /^oci: sha256:[0-9a-f]{12}… \d+ of \d+ bytes$/.test(l))).toBe(true);
    expect(r.status).toBe(0);
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    const art = m.artifacts[0];
    const out = copyOut(`${reg.host}/chunked/digits:1.0.0-${art.target}`);
    expect(readFileSync(join(out, art.sha256)).equals(readFileSync(join(base, 'optimized', art.path)))).toBe(true);
  });

  test('bad input is one line, exit 2, and nothing is published', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const cases: Array<[string[], RegExp]> = [
      [['--oci', 'digits:1.0.0'], /^--oci "digits:1\.0\.0": give REGISTRY\/REPOSITORY:TAG, e\.g\. ghcr\.io\/acme\/digits:1\.4\.0/],
      [['--oci', `${reg.host}/Models/digits:1.0.0`], /repository "Models\/digits" must be lower-case/],
      [['--oci', `${reg.host}/models/digits:-bad`], /tag "-bad" must be/],
      [['--plain-http'], /^--plain-http goes with --oci/],
      [['--oci', `127.0.0.1:${closedPort}/models/digits:1.0.0`, '--plain-http'], /^OCI registry 127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); check the address and that it runs$/],
      [['--oci', `${reg.host}/models/digits:1.0.1`], /^OCI registry 127\.0\.0\.1:\d+ is unreachable \(.+\) \(a registry without TLS needs --plain-http\)/],
    ];
    for (const [args, expected] of cases) {
      const repo = join(base, 'never');
      const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--version', '1.0.1', '--manifest', manifest, ...args]);
      const lines = r.stderr.trim().split('\n');
      expect(r.status, r.stderr).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0].replace(/^edgeml: error: /, '')).toMatch(expected);
      expect(existsSync(repo)).toBe(false);
    }
  });
});

/** A proxy in front of the registry that answers chosen requests itself: a 503 once, a 413 for big PUTs. */
async function faultyProxy(target: string, fault: (method: string, url: string, length: number) => number | null): Promise<{ host: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const length = Number(req.headers['content-length'] ?? 0);
    seen.push(`${req.method} ${req.url}`);
    const status = fault(req.method ?? '', req.url ?? '', length);
    if (status) {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'FAULT', message: `injected ${status}` }] }));
      return;
    }
    const [host, port] = target.split(':');
    const up = httpRequest({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (r) => {
      const headers = { ...r.headers };
      // Upload locations point at the registry itself: send the client back through the proxy.
      if (headers.location) headers.location = headers.location.replace(`http://${target}`, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      res.writeHead(r.statusCode ?? 502, headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe.skipIf(!REGISTRY || !SKOPEO)('publish --oci through a registry that fails', () => {
  let reg: Registry;
  let base: string;
  let keys: string;
  beforeAll(async () => {
    reg = await startRegistry(REGISTRY!);
    base = tempDir('edgeml-oci-faults-');
    keys = keysAnd(base);
  });
  afterAll(async () => reg?.stop());

  test('a 503 is retried; a registry that refuses the size of one PUT (413) gets the blob in chunks', async () => {
    let failedOnce = false;
    const proxy = await faultyProxy(reg.host, (method, url, length) => {
      if (method === 'POST' && !failedOnce) {
        failedOnce = true;
        return 503;
      }
      return method === 'PUT' && url.includes('/blobs/uploads/') && length > 4096 ? 413 : null;
    });
    try {
      const art = join(base, 'art');
      spawnSync('mkdir', ['-p', art]);
      spawnSync('cp', [MODELS.digits, join(art, 'cpu-fp32.onnx')]);
      const r = await edgemlAsync(['publish', '--repo', join(base, 'channel'), '--keys', keys, '--version', '1.0.0', '--artifacts', art, '--model', 'digits',
        '--oci', `${proxy.host}/models/digits:1.0.0`, '--plain-http']);
      expect(r.stderr.trim().split('\n').every((l) => l.startsWith('oci: sha256:'))).toBe(true);
      expect(r.status).toBe(0);
      expect(proxy.seen.some((s) => s.startsWith('PATCH '))).toBe(true);
      const out = copyOut(`${reg.host}/models/digits:1.0.0-cpu-fp32`);
      const sha = (inspectRaw(`${reg.host}/models/digits:1.0.0-cpu-fp32`) as Manifest).layers[0].digest.slice(7);
      expect(readFileSync(join(out, sha)).equals(readFileSync(MODELS.digits))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  test('a registry that keeps failing: one line, exit 2, no tag names anything', async () => {
    const proxy = await faultyProxy(reg.host, (method, url) => (method === 'PUT' && url.includes('/manifests/') ? 500 : null));
    try {
      const art = join(base, 'art2');
      spawnSync('mkdir', ['-p', art]);
      spawnSync('cp', [MODELS.wakeword, join(art, 'cpu-fp32.onnx')]);
      const r = await edgemlAsync(['publish', '--repo', join(base, 'channel2'), '--keys', keys, '--version', '1.0.0', '--artifacts', art, '--model', 'wake',
        '--oci', `${proxy.host}/models/wake:1.0.0`, '--plain-http']);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toMatch(/^edgeml: error: 127\.0\.0\.1:\d+\/models\/wake: PUT answered 500 \(FAULT: injected 500\)$/);
      expect(skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/models/wake:1.0.0`]).status).not.toBe(0);
      expect(skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/models/wake:1.0.0-cpu-fp32`]).status).not.toBe(0);
      expect(existsSync(join(base, 'channel2'))).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

describe.skipIf(!REGISTRY || !SKOPEO || !HTPASSWD)('publish --oci with registry credentials', () => {
  const user = 'ci';
  const password = 's3cret-pass';
  const cases = [['basic', 'basic auth (htpasswd)'], ['token', 'token auth from the WWW-Authenticate challenge']] as const;
  for (const [kind, what] of cases) {
    test(`${what}: no credentials and wrong ones are one line each; right ones push`, async () => {
      const reg = await startRegistry(REGISTRY!, { auth: { kind, username: user, password } });
      try {
        const base = tempDir('edgeml-oci-auth-');
        const keys = keysAnd(base);
        const art = join(base, 'art');
        spawnSync('mkdir', ['-p', art]);
        spawnSync('cp', [MODELS.digits, join(art, 'cpu-fp32.onnx')]);
        const args = (n: string) => ['publish', '--repo', join(base, n), '--keys', keys, '--version', '1.0.0', '--artifacts', art, '--model', 'digits', '--oci', `${reg.host}/models/digits:1.0.0`, '--plain-http'];
        const none = await edgemlAsync(args('a'), { EDGEML_OCI_PASSWORD: '', DOCKER_CONFIG: base });
        expect(none.status).toBe(2);
        expect(none.stderr.trim().split('\n')).toHaveLength(1);
        expect(none.stderr).toMatch(kind === 'basic' ? /asks for a user name and password; set EDGEML_OCI_USERNAME and EDGEML_OCI_PASSWORD/ : /GET answered 401 .*the credentials were refused|token service/);
        const wrong = await edgemlAsync(args('b'), { EDGEML_OCI_USERNAME: user, EDGEML_OCI_PASSWORD: 'nope', DOCKER_CONFIG: base });
        expect(wrong.status).toBe(2);
        expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
        expect(wrong.stderr).toMatch(kind === 'basic' ? /answered 401 .*the credentials were refused/ : /the token service http:\/\/127\.0\.0\.1:\d+ refused \(401\); check EDGEML_OCI_USERNAME and EDGEML_OCI_PASSWORD/);
        expect(existsSync(join(base, 'a')) || existsSync(join(base, 'b'))).toBe(false);
        const right = await edgemlAsync(args('c'), { EDGEML_OCI_USERNAME: user, EDGEML_OCI_PASSWORD: password, DOCKER_CONFIG: base });
        expect(right.stderr).toBe('');
        expect(right.status).toBe(0);
        if (kind === 'token') expect(reg.tokenRequests.some((q) => q.includes('scope=repository%3Amodels%2Fdigits%3Apull%2Cpush'))).toBe(true);
        if (kind === 'basic') {
          const raw = inspectRaw(`${reg.host}/models/digits:1.0.0-cpu-fp32`, `${user}:${password}`) as Manifest;
          expect(raw.artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
        }
      } finally {
        await reg.stop();
      }
    });
  }
});

describe.skipIf(!REGISTRY || !SKOPEO || !HTPASSWD)('the publish action with input oci', () => {
  test('pushes with the password from an input (masked), sets oci-digest and oci-digests, and signs them into the release', async () => {
    const reg = await startRegistry(REGISTRY!, { auth: { kind: 'basic', username: 'bot', password: 'tok-123456' } });
    try {
      const base = tempDir('edgeml-oci-action-');
      const keys = keysAnd(base);
      const repo = join(base, 'channel');
      const art = join(base, 'art');
      spawnSync('mkdir', ['-p', art]);
      spawnSync('cp', [MODELS.digits, join(art, 'cpu-fp32.onnx')]);
      // The channel exists already (created once where the offline keys are).
      expect(edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'canary', '--version', '0.1.0', '--artifacts', art, '--model', 'digits']).status).toBe(0);
      const action = parseYaml(readFileSync(join(ROOT, 'actions/publish/action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
      const given: Record<string, string> = {
        repo, channel: 'beta', model: 'digits', artifacts: art, version: '1.0.0', oci: `${reg.host}/models/digits:1.0.0`, 'plain-http': 'true',
        'oci-username': 'bot', 'oci-password': 'tok-123456',
        'channel-key': readFileSync(join(keys, 'beta.pem'), 'utf8'), 'snapshot-key': readFileSync(join(keys, 'snapshot.pem'), 'utf8'), 'timestamp-key': readFileSync(join(keys, 'timestamp.pem'), 'utf8'),
      };
      const out = join(base, 'output');
      writeFileSync(out, '');
      writeFileSync(join(base, 'summary.md'), '');
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: base, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: join(base, 'summary.md') };
      for (const [name, spec] of Object.entries(action.inputs)) env[`INPUT_${name.toUpperCase()}`] = given[name] ?? spec.default ?? '';
      const r = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const p = spawnChild(process.execPath, [join(ROOT, 'dist/publish/index.js')], { cwd: base, env });
        let stdout = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.on('close', (status) => resolve({ status, stdout }));
      });
      expect(r.stdout).not.toContain('::error::');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('::add-mask::tok-123456');
      expect(r.stdout.split('\n').filter((l) => l.includes('tok-123456') && !l.startsWith('::add-mask::'))).toEqual([]);
      const outputs: Record<string, string> = {};
      for (const m of readFileSync(out, 'utf8').matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
      const index = inspectRaw(`${reg.host}/models/digits:1.0.0`, 'bot:tok-123456') as { manifests: Array<{ digest: string }> };
      expect(outputs['oci-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(outputs['oci-digests']).toBe(`cpu-fp32=${reg.host}/models/digits@${index.manifests[0].digest}`);
      const beta = JSON.parse(readFileSync(join(repo, readdirSync(repo).filter((f) => /^\d+\.beta\.json$/.test(f)).sort().pop()!), 'utf8'));
      const entry = Object.values(beta.signed.targets as Record<string, { custom: { edgeml: { oci?: { digest: string } } } }>)[0];
      expect(entry.custom.edgeml.oci?.digest).toBe(index.manifests[0].digest);
    } finally {
      await reg.stop();
    }
  });
});

describe.skipIf(!REGISTRY || !SKOPEO)('edgeml agent --oci-mirror', () => {
  test('the model comes from the registry by digest, verified against the channel; a mirror that fails falls back to the channel', async () => {
    const reg = await startRegistry(REGISTRY!);
    const base = tempDir('edgeml-oci-mirror-');
    const keys = keysAnd(base);
    const repo = join(base, 'channel');
    const art = join(base, 'art');
    spawnSync('mkdir', ['-p', art]);
    spawnSync('cp', [MODELS.digits, join(art, 'cpu-fp32.onnx')]);
    const pub = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '1.0.0', '--artifacts', art, '--model', 'digits',
      '--oci', `${reg.host}/models/digits:1.0.0`, '--plain-http']);
    expect(pub.status, pub.stderr).toBe(0);
    const channel = await serveChannel(repo);
    try {
      const agent = (dir: string, mirror: string) => edgemlAsync(['agent', '--channel-url', channel.url, '--root', join(repo, '1.root.json'), '--channel', 'stable',
        '--target', 'cpu-fp32', '--dir', join(base, dir), '--device-id', 'd1', '--once', '--oci-mirror', mirror]);
      const first = await agent('dev1', `http://${reg.host}`);
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/installed: digits 1\.0\.0/);
      // Only metadata (and the acceptance evidence) came from the channel: the model came from the registry.
      expect(channel.requests.filter((p) => p.endsWith('.cpu-fp32.onnx'))).toEqual([]);
      const installed = readdirSync(join(base, 'dev1', 'slots')).flatMap((s) => readdirSync(join(base, 'dev1', 'slots', s)).filter((f) => f.endsWith('.onnx')).map((f) => join(base, 'dev1', 'slots', s, f)));
      expect(installed.some((f) => readFileSync(f).equals(readFileSync(MODELS.digits)))).toBe(true);
      await reg.stop();
      const second = await agent('dev2', `http://${reg.host}`);
      expect(second.status).toBe(0);
      expect(second.stderr).toMatch(/the OCI mirror failed \(.+\); downloading from the channel/);
      expect(channel.requests.filter((p) => p.endsWith('.cpu-fp32.onnx'))).toHaveLength(1);
      const bad = await agent('dev3', 'ftp://mirror');
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim()).toMatch(/^edgeml: error: --oci-mirror ftp:\/\/mirror: give the registry as http:\/\/HOST:PORT/);
    } finally {
      await channel.close();
      await reg.stop().catch(() => undefined);
    }
  });
});
