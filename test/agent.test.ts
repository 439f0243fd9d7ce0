// `edgeml agent` as a real process (the built bundle) against a real HTTP server on 127.0.0.1:
// installs, idle polls, health checks, and a mirror that attacks or breaks. After every refusal
// the device still serves the model it had.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, readdirSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { keyIdOf, readPublicKeys } from '../src/fleet/keys.js';
import type { SigningKey } from '../src/fleet/types.js';
import { loadSigningKey } from '../src/fleet/keys.js';
import { LocalDirStorage, buildEvidence, collectArtifacts, publishRelease, refreshChannel } from '../src/fleet/index.js';
import { buildRoot, serialize, signWith } from '../src/fleet/metadata.js';
import { Metadata, MetadataKind } from '@tufjs/models';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { CLI, MODELS, artifactsOf, edgeml, tempDir } from './helpers.js';

let base: string;
let keys: string;
let repo: string;
let server: ChannelServer;
/** A timestamp.json validly signed long ago: what a replaying mirror serves. */
let firstTimestamp: Buffer;

interface Run { status: number | null; stdout: string; stderr: string }

/** The agent as a child process: asynchronous, so this process's HTTP server keeps answering. */
function agent(dir: string, extra: string[] = [], deviceId = 'device-1'): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'), '--channel', 'stable',
      '--target', 'cpu-fp32', '--dir', dir, '--device-id', deviceId, '--once', '--timeout', '20s', ...extra]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function status(dir: string) {
  return JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
}

function servedModel(dir: string): Buffer {
  const rel = JSON.parse(readFileSync(join(dir, 'current', 'release.json'), 'utf8'));
  return readFileSync(join(dir, 'current', rel.file));
}

function publish(version: string, model: string | Buffer, extra: string[] = []) {
  const art = tempDir('edgeml-art-');
  if (typeof model === 'string') copyFileSync(model, join(art, 'cpu-fp32.onnx'));
  else writeFileSync(join(art, 'cpu-fp32.onnx'), model);
  const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', version, '--artifacts', art, '--model', 'digits', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

/** Publishes `file` with the acceptance evidence of `evidenceModel` (what CI's runtime answered). */
async function publishWithEvidence(version: string, file: string, evidenceModel: string) {
  const art = await collectArtifacts({ artifactsDir: artifactsOf(file) });
  const e = await buildEvidence({ file: evidenceModel, name: art[0].file, sha256: art[0].sha256, data: {}, given: (n, f) => `${n}=${f}` });
  art[0].evidence = { bytes: e.bytes, ref: e.ref };
  await publishRelease(new LocalDirStorage(repo), keys, { channel: 'stable', model: 'digits', version, artifacts: art, rollout: { percent: 100, notBefore: null } });
}

const latestStable = () => Math.max(...readdirSync(repo).map((f) => /^(\d+)\.stable\.json$/.exec(f)).filter(Boolean).map((m) => Number(m![1])));

beforeAll(async () => {
  base = tempDir('edgeml-agent-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  publish('1.0.0', MODELS.digits);
  firstTimestamp = readFileSync(join(repo, 'timestamp.json'));
  server = await serveChannel(repo);
});
afterAll(() => server.close());

describe('updates', () => {
  const dev = () => join(base, 'device');

  test('installs the release, then an idle poll fetches only timestamp.json (and the root probe)', async () => {
    const r = await agent(dev());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'installed', current: { version: '1.0.0', release: 1, slot: 'a' }, lastError: null });
    expect(readlinkSync(join(dev(), 'current'))).toBe('slots/a');
    expect(servedModel(dev()).equals(readFileSync(MODELS.digits))).toBe(true);
    server.requests.length = 0;
    const idle = await agent(dev());
    expect(idle.status).toBe(0);
    expect(status(dev()).lastResult).toBe('up-to-date');
    // The spec's root check asks for the next root version (404); the only file downloaded is timestamp.json.
    expect(server.requests).toEqual(['2.root.json', 'timestamp.json']);
  });

  test('a new release outside the rollout cohort is not installed until the rollout covers the device', async () => {
    publish('2.0.0', MODELS.wakeword, ['--rollout', '0']);
    const r = await agent(dev());
    expect(r.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'not-in-rollout', current: { version: '1.0.0' } });
    expect(edgeml(['promote', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '2.0.0', '--rollout', '100']).status).toBe(0);
    const u = await agent(dev());
    expect(u.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'installed', current: { version: '2.0.0', slot: 'b' }, previous: { version: '1.0.0', slot: 'a' } });
    expect(servedModel(dev()).equals(readFileSync(MODELS.wakeword))).toBe(true);
    expect(readFileSync(join(dev(), 'slots/a/cpu-fp32.onnx')).equals(readFileSync(MODELS.digits))).toBe(true);
  });

  test('a release that fails its health check is reported, not installed, and not downloaded again', async () => {
    // publish refuses a file ONNX Runtime cannot load; the release below gets past it with
    // evidence made from the real model (as a CI whose runtime loads what the device's cannot).
    const art = tempDir('edgeml-art-');
    writeFileSync(join(art, 'cpu-fp32.onnx'), 'this is not an onnx model');
    const refused = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '3.0.0', '--artifacts', art, '--model', 'digits']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/cpu-fp32\.onnx: ONNX Runtime cannot load it as a model .*; publish the \.onnx file/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    await publishWithEvidence('3.0.0', join(art, 'cpu-fp32.onnx'), MODELS.digits);
    const r = await agent(dev());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/3\.0\.0 \(release 3\) failed its health check/);
    expect(status(dev())).toMatchObject({ lastResult: 'health-check-failed', current: { version: '2.0.0' }, rejected: { version: '3.0.0' } });
    expect(status(dev()).lastError).toMatch(/3\.0\.0 \(release 3\) failed its health check, kept 2\.0\.0/);
    server.requests.length = 0;
    expect((await agent(dev())).status).toBe(1);
    expect(server.requests.filter((p) => p.startsWith('targets/'))).toEqual([]);
  });

  test('rollback rolls forward: the previous model comes back under a higher release counter', async () => {
    expect(edgeml(['rollback', '--repo', repo, '--keys', keys, '--channel', 'stable']).status).toBe(0);
    const r = await agent(dev());
    expect(r.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'installed', current: { version: '2.0.0', release: 4 } });
  });

  test('a latency budget the model cannot meet fails the health check', async () => {
    const fresh = join(base, 'device-latency');
    const r = await agent(fresh, ['--max-latency', '0ms']);
    expect(r.status).toBe(1);
    expect(status(fresh).lastError).toMatch(/over the --max-latency budget/);
    expect(existsSync(join(fresh, 'current'))).toBe(false);
  });
});

describe('attacks and faults: refused or survived, the current model keeps serving', () => {
  // Each case starts from a copy of the device as it was before release 5.0.0 appeared, so its
  // metadata cache is behind and it must fetch (and check) what the mirror serves.
  let dir = '';
  let n = 0;
  const dev = () => dir;
  const pristine = () => join(base, 'device-before-5');
  let pendingPath = '';

  beforeEach(() => {
    dir = join(base, `device-attack-${++n}`);
    cpSync(pristine(), dir, { recursive: true, verbatimSymlinks: true });
  });

  beforeAll(async () => {
    cpSync(join(base, 'device'), pristine(), { recursive: true, verbatimSymlinks: true });
    publish('5.0.0', MODELS.ocrCls);
    const sha = JSON.parse(readFileSync(join(repo, `${latestStable()}.stable.json`), 'utf8')).signed.targets['stable/models/digits/5.0.0/cpu-fp32/cpu-fp32.onnx'].hashes.sha256;
    pendingPath = `targets/stable/models/digits/5.0.0/cpu-fp32/${sha}.cpu-fp32.onnx`;
  });

  async function refused(hook: ChannelServer['hook'], message: RegExp) {
    const before = servedModel(dev());
    server.hook = hook;
    try {
      const r = await agent(dev());
      expect(r.status).toBe(1);
      const s = status(dev());
      expect(s.lastResult).toBe('error');
      expect(s.lastError).toMatch(message);
      expect(s.current.version).toBe('2.0.0');
      expect(servedModel(dev()).equals(before)).toBe(true);
    } finally {
      server.hook = null;
    }
  }

  const serve = (path: string, bytes: Buffer): ChannelServer['hook'] => (p, _req, res) => {
    if (p !== path) return false;
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
    return true;
  };

  test('tampered target bytes', async () => {
    const bytes = readFileSync(join(repo, pendingPath));
    bytes[bytes.length - 10] ^= 0xff;
    await refused(serve(pendingPath, bytes), /hash|mismatch/i);
  });

  test('tampered metadata (a wider rollout written into the signed channel role)', async () => {
    const name = `${latestStable()}.stable.json`;
    const original = readFileSync(join(repo, name), 'utf8');
    const text = original.replace(/"percent": 100/g, '"percent": 99');
    expect(text).not.toBe(original);
    await refused(serve(name, Buffer.from(text)), /stable|targets|hash|length|signature/i);
  });

  test('replayed older metadata (rollback attack)', async () => {
    await refused(serve('timestamp.json', firstTimestamp), /version/i);
  });

  test('expired timestamp (freeze attack)', async () => {
    const frozen = join(base, 'frozen');
    cpSync(repo, frozen, { recursive: true });
    // Re-signed three days ago with the usual two-day expiry: newer than the device's, but expired.
    await refreshChannel(new LocalDirStorage(frozen), keys, new Date(Date.now() - 3 * 86_400_000));
    await refused(serve('timestamp.json', readFileSync(join(frozen, 'timestamp.json'))), /expired/i);
  });

  test('snapshot mixing versions (mix-and-match)', async () => {
    const latest = latestStable();
    await refused(serve(`${latest}.stable.json`, readFileSync(join(repo, `${latest - 1}.stable.json`))), /version|hash|length/i);
  });

  test('a new root signed by fewer keys than the threshold', async () => {
    const pub = readPublicKeys(keys);
    const one = loadSigningKey(keys, 'root-1.pem', 'root', pub.keys.filter((k) => k.role === 'root').map((k) => k.keyId));
    const root2 = serialize(signWith(buildRoot(pub, 2, new Date()), [one]));
    await refused(serve('2.root.json', root2), /signed by \d+\/\d+ keys/);
  });

  test('metadata signed by an unknown key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const hex = der.subarray(der.length - 32).toString('hex');
    const attacker: SigningKey = { role: 'timestamp', file: 'x', keyId: keyIdOf(hex), public: hex, privateKey };
    const ts = Metadata.fromJSON(MetadataKind.Timestamp, JSON.parse(readFileSync(join(repo, 'timestamp.json'), 'utf8')));
    const forged = serialize(signWith(ts.signed, [attacker]));
    await refused(serve('timestamp.json', forged), /signed by \d+\/\d+ keys/);
  });

  test('an endless response', async () => {
    const endless: ChannelServer['hook'] = (p, _req, res) => {
      if (p !== 'timestamp.json') return false;
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => { while (res.write(chunk)); };
      res.on('drain', pump);
      res.on('close', () => res.off('drain', pump));
      pump();
      return true;
    };
    await refused(endless, /length|max/i);
  });

  test('a server that dies mid-download', async () => {
    const dies: ChannelServer['hook'] = (p, _req, res) => {
      if (p !== pendingPath) return false;
      const bytes = readFileSync(join(repo, pendingPath));
      res.writeHead(200, { 'content-length': bytes.length });
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
      return true;
    };
    await refused(dies, /terminated|socket|fetch|aborted|closed|other side/i);
  });

  test('killed with SIGKILL mid-download, it restarts consistent and then installs', async () => {
    let started!: () => void;
    const seen = new Promise<void>((r) => (started = r));
    server.hook = (p, _req, res) => {
      if (p !== pendingPath) return false;
      const bytes = readFileSync(join(repo, pendingPath));
      res.writeHead(200, { 'content-length': bytes.length });
      res.write(bytes.subarray(0, 1000), () => started()); // then stalls
      return true;
    };
    const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'), '--channel', 'stable',
      '--target', 'cpu-fp32', '--dir', dev(), '--device-id', 'device-1', '--once'], { stdio: 'ignore' });
    const closed = new Promise((r) => child.on('close', r));
    const link = readlinkSync(join(dev(), 'current'));
    await seen;
    child.kill('SIGKILL');
    await closed;
    server.hook = null;
    expect(readlinkSync(join(dev(), 'current'))).toBe(link);
    expect(servedModel(dev()).equals(readFileSync(MODELS.wakeword))).toBe(true);
    const r = await agent(dev());
    expect(r.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'installed', current: { version: '5.0.0' }, previous: { version: '2.0.0' } });
    expect(readlinkSync(join(dev(), 'current'))).not.toBe(link);
    expect(existsSync(join(dev(), 'staging'))).toBe(false);
  });

  test('state left by a kill in the middle of a switch is cleaned up on restart', async () => {
    // What a kill between the steps of activate() can leave: a staging folder, a slot without its
    // release.json, a half-made `current.tmp` link, a status temp file.
    mkdirSync(join(dev(), 'staging'), { recursive: true });
    writeFileSync(join(dev(), 'staging', 'cpu-fp32.onnx'), 'partial');
    symlinkSync('slots/b', join(dev(), 'current.tmp'));
    writeFileSync(join(dev(), 'status.json.tmp'), '{');
    const r = await agent(dev());
    expect(r.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'installed', current: { version: '5.0.0' } });
    for (const f of ['staging', 'current.tmp', 'status.json.tmp']) expect(existsSync(join(dev(), f))).toBe(false);
    expect(servedModel(dev()).equals(readFileSync(MODELS.ocrCls))).toBe(true);
  });
});
