// `edgeml agent --serve` on real parts: the built agent (a child process) polls a real channel on
// 127.0.0.1, serves what it installed over the Open Inference Protocol, and swaps it while
// clients keep sending requests: none fails, none is dropped. A release that fails its
// acceptance check is never served. The reference profile is signed into the release, fetched
// with it, and fills the telemetry windows the device judges drift on. Broken and second models
// are made with python3-onnx.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readNpy } from '../src/tensors/index.js';
import { LocalDirStorage, buildEvidence, collectArtifacts, publishRelease } from '../src/fleet/index.js';
import { HAVE_ONNX, brokenDigits } from './broken-models.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { oipProblems } from './oip.js';
import { CLI, DIGITS, MODELS, artifactsOf, edgeml, tempDir, until as waitUntil } from './helpers.js';

const DATA = join(DIGITS, 'test_inputs.npy');
const pixels = readNpy(DATA).data as unknown as Float32Array;
const row = (i: number) => Array.from(pixels.subarray((i % 540) * 64, (i % 540 + 1) * 64));

let base: string;
let keys: string;
let repo: string;
let channel: ChannelServer;

function publish(version: string, model: string, extra: string[] = ['--data', `pixels=${DATA}`]) {
  const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', version, '--artifacts', artifactsOf(model), '--model', 'digits', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

const channelRole = () => {
  const v = Math.max(...readdirSync(repo).map((f) => /^(\d+)\.stable\.json$/.exec(f)).filter(Boolean).map((m) => Number(m![1])));
  return JSON.parse(readFileSync(join(repo, `${v}.stable.json`), 'utf8')).signed.targets;
};

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

let agentLog = '';

const until = <T>(what: string, probe: () => T | null | undefined | false, ms = 120_000) => waitUntil(what, probe, { ms, said: () => agentLog });

async function infer(url: string, i: number): Promise<{ status: number; version?: string; error?: string }> {
  const res = await fetch(`${url}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: row(i) }] }) });
  const body = (await res.json()) as { model_version?: string; error?: string };
  expect(oipProblems(res.status === 200 ? 'inference_response' : 'error_response', body)).toEqual([]);
  return { status: res.status, version: body.model_version, error: body.error };
}

beforeAll(async () => {
  base = tempDir('edgeml-agent-serve-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  publish('1.0.0', MODELS.digits);
  channel = await serveChannel(repo);
});
afterAll(() => channel?.close());

describe('the reference profile in the release', () => {
  test('publish --data signs a profile of each target beside its evidence: sha256 and length in the signed metadata', async () => {
    const entry = channelRole()['stable/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx'];
    const ref = entry.custom.edgeml.profile;
    expect(ref.path).toMatch(/^targets\/profiles\/[0-9a-f]{64}\.json$/);
    const bytes = readFileSync(join(repo, ref.path));
    expect(bytes.length).toBe(ref.length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ref.sha256);
    const profile = JSON.parse(bytes.toString('utf8'));
    expect(profile).toMatchObject({ version: 1, model: { name: 'digits', sha256: entry.hashes.sha256 }, samples: 540 });
    expect(profile.histograms.map((h: { key: string }) => h.key)).toEqual(['outputs.output', 'inputs.pixels']);
  });
});

describe.skipIf(!HAVE_ONNX)('edgeml agent --serve', () => {
  let child: ChildProcess;
  let stderr = '';
  let url: string;
  const dev = () => join(base, 'device');
  const telemetry = () => join(base, 'telemetry');

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'agent', '--channel-url', channel.url, '--root', join(repo, '1.root.json'), '--target', 'cpu-fp32',
      '--dir', dev(), '--device-id', 'device-1', '--model', 'digits', '--interval', '1s', '--timeout', '20s',
      '--serve', '127.0.0.1:0', '--telemetry', telemetry(), '--window', '30']);
    child.stderr!.on('data', (d) => (agentLog = stderr += d));
    child.stdout!.resume();
    url = await until('the server to listen', () => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]);
    url = `${url}/v2/models/digits`;
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
    }
  });

  test('the installed release is served, with its signed profile: drift is judged', async () => {
    const served = await until('1.0.0 served', () => json(join(dev(), 'serve.json')).serving?.version === '1.0.0' && json(join(dev(), 'serve.json')));
    expect(served).toMatchObject({ name: 'digits', drift: 'judged', refused: null, serving: { release: 1 } });
    expect(existsSync(join(dev(), 'current', 'profile.json'))).toBe(true);
    const r = await infer(url, 0);
    expect(r.status).toBe(200);
    expect(r.version).toBe(served.serving.sha256.slice(0, 12));
  });

  test('a new release is swapped in while requests are in flight: none fails or is dropped', async () => {
    const before = json(join(dev(), 'serve.json')).serving.sha256.slice(0, 12);
    const results: Array<{ status: number; version?: string; error?: string }> = [];
    let stop = false;
    let n = 0;
    // Three clients (the server runs 4 at once) send without pause until the swap is over.
    const clients = Array.from({ length: 3 }, async () => {
      while (!stop) results.push(await infer(url, n++));
    });
    publish('1.1.0', brokenDigits('negated'));
    const after = await until('1.1.0 served', () => json(join(dev(), 'serve.json')).serving?.version === '1.1.0' && json(join(dev(), 'serve.json')).serving.sha256.slice(0, 12));
    const swappedAt = results.length;
    await until('requests after the swap', () => results.length > swappedAt + 30);
    stop = true;
    await Promise.all(clients);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const versions = results.map((r) => r.version);
    expect(versions).toContain(before);
    expect(versions).toContain(after);
    // Once the new model answers, the old one finishes only the requests it had started (one per client at most).
    expect(versions.slice(versions.indexOf(after)).filter((v) => v === before).length).toBeLessThanOrEqual(3);
  });

  test('a release that fails its acceptance check is not served: the old model keeps serving', async () => {
    const serving = json(join(dev(), 'serve.json')).serving;
    // The digits model with the evidence of the negated one: the device's runtime disagrees with "CI".
    const art = await collectArtifacts({ artifactsDir: artifactsOf(MODELS.digits) });
    const e = await buildEvidence({ file: brokenDigits('negated'), name: art[0].file, sha256: art[0].sha256, data: {}, given: (nm, f) => `${nm}=${f}` });
    art[0].evidence = { bytes: e.bytes, ref: e.ref };
    await publishRelease(new LocalDirStorage(repo), keys, { channel: 'stable', model: 'digits', version: '1.2.0', artifacts: art, rollout: { percent: 100, notBefore: null } });
    await until('the release refused', () => json(join(dev(), 'status.json')).lastResult === 'health-check-failed');
    expect(json(join(dev(), 'status.json'))).toMatchObject({ current: { version: '1.1.0' }, rejected: { version: '1.2.0' } });
    for (let i = 0; i < 5; i++) {
      const r = await infer(url, i);
      expect(r.status).toBe(200);
      expect(r.version).toBe(serving.sha256.slice(0, 12));
    }
    expect(json(join(dev(), 'serve.json')).serving).toEqual(serving);
  });

  test('the telemetry windows carry the device\'s verdict; edgeml drift reads them without --reference', async () => {
    // Fill whole windows of the current model with its own test set.
    for (let i = 0; i < 60; i++) expect((await infer(url, i * 7)).status).toBe(200);
    const lines = readFileSync(join(telemetry(), 'digits.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const full = lines.filter((w) => w.requests >= 30);
    expect(full.length).toBeGreaterThanOrEqual(2);
    for (const w of full) {
      expect(w.profile).toMatch(/^[0-9a-f]{64}$/);
      expect(w.verdict).toMatchObject({ judged: true, drift: false });
      expect(w.latencyMs.histogram.scheme).toBe('log2-8-us');
    }
    const r = edgeml(['drift', '--telemetry', telemetry()]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('No drift trigger');
  });
});

describe('agent --serve flags', () => {
  test('bad combinations: one line, exit 2, before anything starts', () => {
    const common = ['agent', '--channel-url', 'http://127.0.0.1:9', '--root', join(repo, '1.root.json'), '--target', 'cpu-fp32', '--dir', join(tempDir(), 'd'), '--device-id', 'x'];
    const cases: Array<[string[], RegExp]> = [
      [['--serve', '127.0.0.1:0', '--once'], /--serve keeps serving the installed model: not with --once/],
      [['--telemetry', tempDir()], /--telemetry is for the served model's telemetry: give --serve HOST:PORT too$/],
      [['--serve', '127.0.0.1:0', '--window-time', '100ms'], /--window-time 100ms: at least 1s$/],
      [['--serve', 'nowhere'], /--serve "nowhere": give HOST:PORT/],
      [['--serve', '127.0.0.1:0', '--window', '0'], /--window "0": expected a whole number of at least 1/],
      [['--serve', '127.0.0.1:0'], /--serve 127\.0\.0\.1:0: no model is installed yet; give --model NAME/],
    ];
    for (const [extra, expected] of cases) {
      const r = edgeml([...common, ...extra]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(expected);
    }
  });
});
