// The model served over the Open Inference Protocol v2 (real ONNX Runtime, real HTTP on
// 127.0.0.1), telemetry windows filled from the requests, and drift scored against the reference
// profile: the digits model fed its own test set stays quiet; inverted, shifted and noisy digits
// fire the trigger after three windows, not before.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readNpy, rng } from '../src/tensors/index.js';
import { driftReport, parseProfile, readTelemetry, type Profile } from '../src/drift/index.js';
import { profileModel } from '../src/drift/make.js';
import { serveModel, type ModelServer } from '../src/serve/index.js';
import { DIGITS, MODELS, edgeml, edgemlAsync, tempDir } from './helpers.js';
import { startGitHubServer } from './github-server.js';

const TEST_INPUTS = join(DIGITS, 'test_inputs.npy');
const pixels = readNpy(TEST_INPUTS).data as unknown as Float32Array;
const ROWS = pixels.length / 64;

function row(i: number): number[] {
  return Array.from(pixels.subarray(i * 64, (i + 1) * 64));
}

const inverted = (x: number[]) => x.map((v) => 1 - v);
const shifted = (x: number[]) => x.map((_, i) => (i % 8 >= 2 ? x[i - 2] : 0));
function noisy(seed: number) {
  const next = rng(seed);
  return (x: number[]) => x.map((v) => Math.min(1, Math.max(0, v + (next() - 0.5) * 0.8)));
}

async function infer(url: string, name: string, values: number[], id?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v2/models/${name}/infer`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(id ? { id } : {}), inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: values }] }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** `windows` windows of `size` requests drawn (seeded, with replacement) from the test set, each image through `change`. */
async function feed(server: ModelServer, windows: number, size: number, seed: number, change: (x: number[]) => number[] = (x) => x): Promise<void> {
  const next = rng(seed);
  for (let i = 0; i < windows * size; i++) {
    const r = await infer(server.url, server.name, change(row(Math.floor(next() * ROWS))));
    expect(r.status).toBe(200);
  }
}

let profile: Profile;
let profileFile: string;

beforeAll(async () => {
  profile = await profileModel(MODELS.digits, 'mlp', { pixels: { kind: 'npy', path: TEST_INPUTS } });
  profileFile = join(tempDir(), 'profile.json');
  writeFileSync(profileFile, JSON.stringify(profile));
});

describe('the reference profile', () => {
  test('holds the top-1 class frequencies of the classifier and quantile bins of the input', () => {
    expect(profile.samples).toBe(ROWS);
    const out = profile.histograms.find((h) => h.key === 'outputs.output')!;
    expect(out.kind).toBe('classes');
    expect(out.classes).toBe(10);
    expect(out.reference.reduce((a, b) => a + b, 0)).toBe(ROWS);
    // The digits test set is balanced: every class is predicted.
    expect(out.reference.every((c) => c > 30)).toBe(true);
    const input = profile.histograms.find((h) => h.key === 'inputs.pixels')!;
    expect(input.kind).toBe('quantiles');
    expect(input.edges!.length).toBe(9);
  });
});

describe('drift on telemetry windows', () => {
  const run = async (change: ((x: number[]) => number[]) | undefined, windows: number, seed: number) => {
    const dir = tempDir('edgeml-telemetry-');
    const server = await serveModel({ model: MODELS.digits, name: 'mlp', listen: '127.0.0.1:0', profile, telemetryDir: dir, window: 50 });
    try {
      await feed(server, windows, 50, seed, change);
    } finally {
      await server.close();
    }
    return { dir, report: driftReport(profile, readTelemetry(dir)) };
  };

  test('A/A: the test set itself, 20 windows, no window drifts', async () => {
    const { report } = await run(undefined, 20, 7);
    expect(report.windows).toHaveLength(20);
    expect(report.windows.every((w) => w.judged)).toBe(true);
    expect(report.windows.filter((w) => w.drift)).toEqual([]);
    expect(report.triggered).toBe(false);
  });

  const cases: Array<[string, (x: number[]) => number[]]> = [['inverted', inverted], ['shifted by two pixels', shifted], ['with noise', noisy(3)]];
  for (const [what, change] of cases) {
    test(`${what}: every window drifts, and the trigger fires once, at the third`, async () => {
      const { dir, report } = await run(change, 4, 11);
      expect(report.windows.map((w) => w.drift)).toEqual([true, true, true, true]);
      expect(report.trigger).toMatchObject({ device: 'local', windows: 3, at: report.windows[2].end });
      // The CLI says the same: exit 1, the table, the JSON with the windows in time order.
      const json = join(dir, 'drift.json');
      const cli = edgeml(['drift', '--reference', profileFile, '--telemetry', dir, '--json', json]);
      expect(cli.status).toBe(1);
      expect(cli.stdout).toContain('**Drift: 3 windows in a row on local**');
      const doc = JSON.parse(readFileSync(json, 'utf8'));
      expect(doc.windows.map((w: { drift: boolean }) => w.drift)).toEqual([true, true, true, true]);
    });
  }

  test('--dispatch sends one repository_dispatch per trigger, within GitHub\'s limits, however often drift runs', async () => {
    const { dir } = await run(inverted, 4, 5);
    const gh = await startGitHubServer();
    try {
      const env = { GITHUB_API_URL: gh.url, GITHUB_TOKEN: 'ghs_test' };
      const args = ['drift', '--reference', profileFile, '--telemetry', dir, '--dispatch', 'acme/digits', '--version', '1.3.0', '--cohort', 'beta'];
      const first = await edgemlAsync(args, env);
      expect(first.status).toBe(1);
      expect(first.stderr).toContain('drift: dispatched edgeml-drift to acme/digits');
      const again = await edgemlAsync(args, env);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/already dispatched for local at /);
      expect(gh.violations).toEqual([]);
      expect(gh.dispatches).toHaveLength(1);
      const d = gh.dispatches[0];
      expect(d).toMatchObject({ repo: 'acme/digits', event_type: 'edgeml-drift' });
      expect(d.client_payload).toMatchObject({ model: 'mlp', version: '1.3.0', sha256: profile.model.sha256, cohort: 'beta', windows: 3, devices: ['local'] });
      expect(Object.keys(d.client_payload!).length).toBeLessThanOrEqual(10);
      // No drift, no dispatch.
      const quiet = (await run(undefined, 3, 9)).dir;
      const none = await edgemlAsync(['drift', '--reference', profileFile, '--telemetry', quiet, '--dispatch', 'acme/digits'], env);
      expect(none.status).toBe(0);
      expect(gh.dispatches).toHaveLength(1);
      // A token the repository refuses: one line, exit 2.
      gh.faults.push({ path: /\/repos\/acme\/other\/dispatches/, status: 404, message: 'Not Found', times: Infinity });
      const refused = await edgemlAsync(['drift', '--reference', profileFile, '--telemetry', dir, '--dispatch', 'acme/other', '--dispatch-state', join(tempDir(), 'sent.json')], env);
      expect(refused.status).toBe(2);
      expect(refused.stderr.trim().split('\n').pop()).toMatch(/^edgeml: error: --dispatch acme\/other: the repository was not found, or the token may not see it$/);
    } finally {
      await gh.close();
    }
  });

  test('a window of another model is not judged, and says why', async () => {
    const dir = tempDir('edgeml-telemetry-');
    const server = await serveModel({ model: MODELS.digits, name: 'mlp', listen: '127.0.0.1:0', profile: { ...profile, model: { ...profile.model, sha256: 'f'.repeat(64) } }, telemetryDir: dir, window: 50 });
    await feed(server, 1, 50, 1);
    await server.close();
    const r = driftReport({ ...profile, model: { ...profile.model, sha256: 'f'.repeat(64) } }, readTelemetry(dir).map((w) => ({ ...w })));
    expect(r.windows[0]).toMatchObject({ judged: false, drift: false });
    expect(driftReport(profile, readTelemetry(dir)).windows[0].judged).toBe(true);
    const other = driftReport({ ...profile, model: { ...profile.model, sha256: 'e'.repeat(64) } }, readTelemetry(dir));
    expect(other.windows[0].reason).toMatch(/^the window is of model sha256 [0-9a-f]{12}, the profile of eeeeeeeeeeee$/);
  });
});

describe('the Open Inference Protocol server', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await serveModel({ model: MODELS.digits, name: 'digits', listen: '127.0.0.1:0', maxBodyBytes: 64 * 1024, maxConcurrent: 2 });
  });
  afterAll(async () => server?.close());

  test('health, server and model metadata, and an inference as the protocol writes them', async () => {
    const get = async (p: string) => {
      const r = await fetch(`${server.url}${p}`);
      return { status: r.status, body: await r.json() };
    };
    expect(await get('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
    expect(await get('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
    const meta = await get('/v2/models/digits');
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ name: 'digits', platform: 'onnxruntime_onnx', inputs: [{ name: 'pixels', datatype: 'FP32', shape: [-1, 64] }], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 10] }] });
    const version = (meta.body as { versions: string[] }).versions[0];
    expect((await get(`/v2/models/digits/versions/${version}`)).status).toBe(200);
    expect(await get('/v2/models/digits/ready')).toEqual({ status: 200, body: { name: 'digits', ready: true } });
    const r = await infer(server.url, 'digits', row(0), 'req-1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ model_name: 'digits', model_version: version, id: 'req-1' });
    const out = (r.body.outputs as Array<{ name: string; datatype: string; shape: number[]; data: number[] }>)[0];
    expect(out).toMatchObject({ name: 'output', datatype: 'FP32', shape: [1, 10] });
    expect(out.data).toHaveLength(10);
    // Nested data is the same request, row-major.
    const nested = await fetch(`${server.url}/v2/models/digits/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: [row(0)] }] }) });
    expect(((await nested.json()) as { outputs: Array<{ data: number[] }> }).outputs[0].data).toEqual(out.data);
  });

  test('a hostile client gets the protocol\'s error answers and the server keeps serving', async () => {
    const post = async (body: string) => {
      const r = await fetch(`${server.url}/v2/models/digits/infer`, { method: 'POST', body });
      return { status: r.status, body: (await r.json()) as { error?: string } };
    };
    const tensor = (t: Record<string, unknown>) => JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: row(0), ...t }] });
    const cases: Array<[string, string, number, RegExp]> = [
      ['malformed JSON', '{"inputs": [', 400, /not JSON/],
      ['no inputs', '{}', 400, /no 'inputs' list/],
      ['wrong datatype', tensor({ datatype: 'INT64' }), 400, /datatype "INT64" does not match the model's FP32/],
      ['a shape the model rejects', tensor({ shape: [1, 63] }), 400, /shape \[1,63\] does not fit the model's \[-1,64\]/],
      ['too few values', tensor({ data: [1, 2, 3] }), 400, /3 values for shape \[1,64\]/],
      ['a string among the values', tensor({ data: [...row(0).slice(1), 'x'] }), 400, /value 63 is not a finite number/],
      ['an input the model lacks', JSON.stringify({ inputs: [JSON.parse(tensor({})).inputs[0], { name: 'extra', shape: [1], datatype: 'FP32', data: [1] }] }), 400, /no input 'extra'/],
      ['a huge tensor', JSON.stringify({ inputs: [{ name: 'pixels', shape: [1e6, 64], datatype: 'FP32', data: [] }] }), 413, /more than the \d+ this server takes|larger than/],
      ['a body over the limit', JSON.stringify({ inputs: [{ name: 'pixels', shape: [2000, 64], datatype: 'FP32', data: new Array(128_000).fill(0.5) }] }), 413, /request body .* larger than/],
    ];
    for (const [what, body, status, message] of cases) {
      const r = await post(body);
      expect(r.status, what).toBe(status);
      expect(r.body.error, what).toMatch(message);
    }
    const unknown = await fetch(`${server.url}/v2/models/other/infer`, { method: 'POST', body: tensor({}) });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/no model at \/v2\/models\/other\/infer; this server serves 'digits'/);
    expect((await infer(server.url, 'digits', row(1))).status).toBe(200);
  });

  test('a slow-loris connection does not hold up others; more requests than allowed at once get 503, none is dropped', async () => {
    const [host, port] = server.url.replace('http://', '').split(':');
    const slow = connect(Number(port), host);
    await new Promise((r) => slow.once('connect', r));
    slow.write('POST /v2/models/digits/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"inputs"');
    expect((await infer(server.url, 'digits', row(2))).status).toBe(200);
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => infer(server.url, 'digits', row(i))));
    expect(all.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(all.some((r) => r.status === 200)).toBe(true);
    for (const r of all.filter((x) => x.status === 503)) expect(r.body.error).toMatch(/busy/);
    slow.destroy();
  });
});

describe('swapping the served model', () => {
  test('requests in flight during a swap all succeed; a swap to a broken file fails and the old model keeps serving', async () => {
    const server = await serveModel({ model: MODELS.digits, name: 'digits', listen: '127.0.0.1:0', maxConcurrent: 64 });
    try {
      const before = ((await (await fetch(`${server.url}/v2/models/digits`)).json()) as { versions: string[] }).versions[0];
      const inFlight = Array.from({ length: 40 }, (_, i) => infer(server.url, 'digits', row(i)));
      await server.swap(MODELS.digits);
      const results = await Promise.all([...inFlight, ...Array.from({ length: 10 }, (_, i) => infer(server.url, 'digits', row(i)))]);
      expect(results.map((r) => r.status)).toEqual(new Array(50).fill(200));
      const broken = join(tempDir(), 'broken.onnx');
      writeFileSync(broken, 'not a model');
      await expect(server.swap(broken)).rejects.toThrow(/broken\.onnx: ONNX Runtime cannot load it/);
      const after = await infer(server.url, 'digits', row(3));
      expect(after.status).toBe(200);
      expect(after.body.model_version).toBe(before);
    } finally {
      await server.close();
    }
  });
});

describe('bad input to the commands', () => {
  test('one line, exit 2', () => {
    const notProfile = join(tempDir(), 'x.json');
    writeFileSync(notProfile, '{"hello": 1}');
    const cases: Array<[string[], RegExp]> = [
      [['drift', '--reference', notProfile, '--telemetry', tempDir()], /x\.json: not an edgeml profile \(version must be 1\); make one with 'edgeml profile'$/],
      [['drift', '--reference', profileFile, '--telemetry', join(tempDir(), 'none')], /--telemetry \S+none: no such folder/],
      [['drift', '--reference', profileFile, '--telemetry', tempDir()], /no telemetry windows \(\*\.jsonl\) yet; serve requests first$/],
      [['profile', '--model', MODELS.digits, '--out', join(tempDir(), 'p.json')], /--data: input 'pixels' has no data; give --data pixels=FILE\.npy/],
      [['profile', '--model', MODELS.digits, '--data', 'nope=1', '--out', join(tempDir(), 'p.json')], /--data nope=\.\.\.: the model has no input named 'nope'/],
      [['serve', '--model', MODELS.digits, '--listen', 'nowhere'], /--listen "nowhere": give HOST:PORT/],
    ];
    for (const [args, expected] of cases) {
      const r = edgeml(args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(expected);
    }
    expect(existsSync(join(tempDir(), 'p.json'))).toBe(false);
    expect(() => parseProfile('[]', 'p.json')).toThrow(/not an edgeml profile/);
  });
});
