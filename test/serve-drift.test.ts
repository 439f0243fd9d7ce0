// The model served over the Open Inference Protocol v2 (real ONNX Runtime, real HTTP on
// 127.0.0.1), telemetry windows filled from the requests, and drift scored against the reference
// profile: the digits model fed its own test set stays quiet; inverted, shifted and noisy digits
// fire the trigger after three windows, not before.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readNpy, rng, toFloat16Bits as toHalf } from '../src/tensors/index.js';
import { driftReport, parseProfile, quantileInterval, readTelemetry, type Profile } from '../src/drift/index.js';
import { profileModel } from '../src/drift/make.js';
import { serveModel, type ModelServer } from '../src/serve/index.js';
import { fromFloat16Bits as fromHalf } from '../src/model/index.js';
import { DIGITS, MODELS, edgeml, edgemlAsync, tempDir } from './helpers.js';
import { startGitHubServer } from './github-server.js';
import { oipAnswer, oipProblems } from './oip.js';

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

/**
 * One call to the server, its answer checked against the protocol's published shapes (and the
 * request too, unless it is hostile on purpose).
 */
async function oip(url: string, path: string, body?: string, hostile = false): Promise<{ status: number; body: Record<string, unknown> }> {
  if (body !== undefined && !hostile) expect(oipProblems('inference_request', JSON.parse(body)), 'the request').toEqual([]);
  const res = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const answer = (await res.json()) as Record<string, unknown>;
  const kind = oipAnswer(path, body === undefined ? 'GET' : 'POST', res.status);
  if (kind) expect(oipProblems(kind, answer), `${path} answered ${res.status}`).toEqual([]);
  return { status: res.status, body: answer };
}

async function infer(url: string, name: string, values: number[], id?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return oip(url, `/v2/models/${name}/infer`, JSON.stringify({ ...(id ? { id } : {}), inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: values }] }));
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
    return { dir, report: driftReport(profile, readTelemetry(dir).windows) };
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
    const r = driftReport({ ...profile, model: { ...profile.model, sha256: 'f'.repeat(64) } }, readTelemetry(dir).windows.map((w) => ({ ...w })));
    expect(r.windows[0]).toMatchObject({ judged: false, drift: false });
    expect(driftReport(profile, readTelemetry(dir).windows).windows[0].judged).toBe(true);
    const other = driftReport({ ...profile, model: { ...profile.model, sha256: 'e'.repeat(64) } }, readTelemetry(dir).windows);
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
    const get = (p: string) => oip(server.url, p);
    expect(await get('/v2/')).toEqual({ status: 200, body: { name: 'edgeml', version: '1', extensions: [] } });
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
    const nested = await oip(server.url, '/v2/models/digits/infer', JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: [row(0)] }] }));
    expect((nested.body as { outputs: Array<{ data: number[] }> }).outputs[0].data).toEqual(out.data);
  });

  test('a hostile client gets the protocol\'s error answers and the server keeps serving', async () => {
    const post = async (body: string) => (await oip(server.url, '/v2/models/digits/infer', body, true)) as { status: number; body: { error?: string } };
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

describe('what cannot be judged is said, never passed', () => {
  test('a window lacking a histogram of the profile is not judged, and names it; a drifted one still counts', async () => {
    const dir = tempDir('edgeml-telemetry-');
    const server = await serveModel({ model: MODELS.digits, name: 'mlp', listen: '127.0.0.1:0', profile, telemetryDir: dir, window: 40 });
    await feed(server, 1, 40, 2);
    await server.close();
    const [w] = readTelemetry(dir).windows;
    const lacking = { ...w, counts: { 'outputs.output': w.counts['outputs.output'] } };
    const r = driftReport(profile, [lacking]);
    expect(r.windows[0]).toMatchObject({ judged: false, drift: false, reason: 'the window lacks histograms of the profile: inputs.pixels (absent)' });
    const wrongBins = { ...w, counts: { ...w.counts, 'inputs.pixels': [1, 2, 3] } };
    expect(driftReport(profile, [wrongBins]).windows[0].reason).toBe('the window lacks histograms of the profile: inputs.pixels (3 bins, the profile has 10)');
    // All predictions in one class: that drift is seen even with the input histogram absent.
    const skewed = { ...lacking, counts: { 'outputs.output': [40, 0, 0, 0, 0, 0, 0, 0, 0, 0] } };
    expect(driftReport(profile, [skewed]).windows[0]).toMatchObject({ judged: true, drift: true });
  });

  test('a last line cut short is left out and reported: by count, in the JSON and on stderr', async () => {
    const dir = tempDir('edgeml-telemetry-');
    const server = await serveModel({ model: MODELS.digits, name: 'mlp', listen: '127.0.0.1:0', profile, telemetryDir: dir, window: 40 });
    await feed(server, 2, 40, 4);
    await server.close();
    const file = join(dir, 'mlp.jsonl');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text + text.split('\n')[0].slice(0, 80));
    const { windows, skipped } = readTelemetry(dir);
    expect(windows).toHaveLength(2);
    expect(skipped).toEqual([{ file, line: 3, reason: 'cut short (not JSON): the writer was stopped while writing it' }]);
    const json = join(dir, 'drift.json');
    const r = edgeml(['drift', '--reference', profileFile, '--telemetry', dir, '--json', json]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`drift: ${file}:3: left out, cut short (not JSON): the writer was stopped while writing it\n`);
    expect(r.stdout).toMatch(/1 telemetry line\(s\) left out: mlp\S*jsonl:3 /);
    expect(JSON.parse(readFileSync(json, 'utf8')).skipped).toHaveLength(1);
    // A bad line that is not the last is an error: the file is damaged, not cut.
    writeFileSync(file, `{"half"\n${text}`);
    expect(() => readTelemetry(dir)).toThrow(/mlp\.jsonl:1: not a JSON telemetry window/);
  });

  test('a model served without a profile: its windows say drift is not judged, and drift says so', async () => {
    const dir = tempDir('edgeml-telemetry-');
    const server = await serveModel({ model: MODELS.digits, name: 'mlp', listen: '127.0.0.1:0', telemetryDir: dir, window: 40 });
    await feed(server, 2, 40, 4);
    await server.close();
    const { windows } = readTelemetry(dir);
    expect(windows.map((w) => [w.profile, w.verdict])).toEqual([[null, { judged: false, drift: false, reason: 'the release carries no reference profile', scores: [] }], [null, { judged: false, drift: false, reason: 'the release carries no reference profile', scores: [] }]]);
    const r = edgeml(['drift', '--telemetry', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('not judged (the release carries no reference profile)');
    expect(r.stdout).not.toContain('no drift');
  });

  test('the device\'s verdicts are judged again with edgeml drift\'s thresholds (monitoring: of edgeml.yml)', async () => {
    const dir = tempDir('edgeml-telemetry-');
    const server = await serveModel({ model: MODELS.digits, name: 'mlp', listen: '127.0.0.1:0', profile, telemetryDir: dir, window: 50 });
    await feed(server, 4, 50, 11, inverted);
    await server.close();
    expect(readTelemetry(dir).windows.every((w) => w.verdict?.judged && w.verdict.drift)).toBe(true);
    expect(edgeml(['drift', '--telemetry', dir]).status).toBe(1);
    const config = join(dir, 'edgeml.yml');
    writeFileSync(config, 'models:\n  mlp: { path: mlp.onnx }\nmonitoring:\n  windows-in-a-row: 5\n  window: { requests: 50, time: 15m }\n');
    const five = edgeml(['drift', '--telemetry', dir, '--config', config]);
    expect(five.status).toBe(0);
    expect(five.stdout).toContain('No drift trigger (5 drifted windows in a row fire it)');
    // The flag wins over the file.
    expect(edgeml(['drift', '--telemetry', dir, '--config', config, '--windows-in-a-row', '4']).status).toBe(1);
    // Thresholds no shift reaches: the windows are judged, none drifts.
    writeFileSync(config, 'monitoring:\n  psi: 100\n  jensen-shannon: 1\n');
    const lax = JSON.parse(readFileSync((edgeml(['drift', '--telemetry', dir, '--config', config, '--json', join(dir, 'd.json')]), join(dir, 'd.json')), 'utf8'));
    expect(lax.windows.map((w: { judged: boolean; drift: boolean }) => [w.judged, w.drift])).toEqual(new Array(4).fill([true, false]));
    expect(lax.settings).toMatchObject({ psi: 100, jensenShannon: 1, ksAlpha: 0.01, windowsInARow: 3, minRequests: 30 });
    const bad: Array<[string, RegExp]> = [
      ['monitoring:\n  psi: -1\n', /edgeml\.yml:2:8: monitoring\.psi: .*0/],
      ['monitoring:\n  windows-in-row: 3\n', /edgeml\.yml:2:3: .*windows-in-row.*windows-in-a-row/],
      ['monitoring:\n  window: { time: 5 }\n', /edgeml\.yml:2:19: monitoring\.window\.time/],
      ['monitoring:\n  window: { time: 0.5s }\n', /edgeml\.yml: monitoring\.window\.time: at least 1s/],
    ];
    for (const [text, expected] of bad) {
      writeFileSync(config, text);
      const r = edgeml(['drift', '--telemetry', dir, '--config', config]);
      expect(r.status, text).toBe(2);
      expect(r.stderr.trim().split('\n'), text).toHaveLength(1);
      expect(r.stderr.trim(), text).toMatch(expected);
    }
  });
});

describe('latency drift', () => {
  test('the p90 interval from a histogram holds the true p90; no latencies, no figure', () => {
    const h = { scheme: 'log2-8-us' as const, counts: {} as Record<string, number> };
    const values = Array.from({ length: 1000 }, (_, i) => 1 + i / 100); // 1..11 ms, p90 = 10 ms
    for (const v of values) {
      const k = Math.ceil(Math.log2(v * 1000) * 8 - 1e-9);
      h.counts[k] = (h.counts[k] ?? 0) + 1;
    }
    const q = quantileInterval(h, 0.9);
    expect(q.count).toBe(1000);
    expect(q.interval![0]).toBeLessThanOrEqual(10);
    expect(q.interval![1]).toBeGreaterThanOrEqual(10);
    expect(q.interval![1] / q.interval![0]).toBeLessThan(1.25); // a few buckets of ~9% each
    expect(quantileInterval({ scheme: 'log2-8-us', counts: {} }, 0.9)).toEqual({ count: 0, value: null, interval: null });
  });

  test('field p90 per device, target and label against CI\'s p90 on that label; no CI figure for the label is not judged', async () => {
    const windows = async (tags: Parameters<typeof serveModel>[0]['tags']) => {
      const dir = tempDir('edgeml-telemetry-');
      const server = await serveModel({ model: MODELS.digits, name: 'mlp', listen: '127.0.0.1:0', profile, telemetryDir: dir, window: 40, tags });
      await feed(server, 2, 40, 8);
      await server.close();
      return readTelemetry(dir).windows;
    };
    const [fast, slow, other, none, unlabelled] = await Promise.all([
      windows({ target: 'cpu-fp32', label: 'rpi5', ci: { p90Ms: 1000, label: 'rpi5' } }),
      windows({ target: 'cpu-fp32', label: 'rpi5', ci: { p90Ms: 0.000001, label: 'rpi5' } }),
      windows({ target: 'cpu-fp32', label: 'jetson', ci: { p90Ms: 1000, label: 'rpi5' } }),
      windows({ target: 'cpu-fp32', label: 'rpi5', ci: null }),
      windows({ target: 'cpu-fp32', label: null, ci: { p90Ms: 1000, label: 'rpi5' } }),
    ]);
    expect(fast[0]).toMatchObject({ target: 'cpu-fp32', label: 'rpi5', ci: { p90Ms: 1000, label: 'rpi5' } });
    const row = (w: typeof fast) => driftReport(profile, w).latency;
    expect(row(fast)).toEqual([expect.objectContaining({ device: 'local', target: 'cpu-fp32', label: 'rpi5', requests: 80, judged: true, drift: false })]);
    expect(row(fast)[0].interval![0]).toBeLessThanOrEqual(row(fast)[0].p90Ms!);
    expect(row(slow)[0]).toMatchObject({ judged: true, drift: true });
    expect(row(other)[0]).toMatchObject({ judged: false, drift: false, reason: "no CI figure for this label: CI measured on 'rpi5'" });
    expect(row(none)[0]).toMatchObject({ judged: false, reason: 'the release carries no CI latency figure (publish with --results)' });
    expect(row(unlabelled)[0]).toMatchObject({ judged: false, reason: "the device has no label; CI measured on 'rpi5' (give the agent --label)" });
    // The CLI shows it below the windows.
    const dir = tempDir('edgeml-telemetry-');
    writeFileSync(join(dir, 'mlp.jsonl'), other.map((w) => JSON.stringify(w)).join('\n') + '\n');
    const cli = edgeml(['drift', '--reference', profileFile, '--telemetry', dir, '--json', join(dir, 'd.json')]);
    expect(cli.stdout).toMatch(/\| local \| cpu\S*fp32 \| jetson \| 80 \| [\d.]+ ms \([\d.]+–[\d.]+\) \| 1000\.0 ms on rpi5 \| not judged \(no CI figure for this label/);
    expect(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8')).latency[0]).toMatchObject({ judged: false, label: 'jetson' });
  });
});

describe('FP16 and BYTES', () => {
  test('FP16 tensors are served through ONNX Runtime\'s float16 tensors; values beyond FP16 and BYTES get a 400 naming them', async () => {
    const server = await serveModel({ model: MODELS.fp16, listen: '127.0.0.1:0' });
    try {
      const meta = (await (await fetch(`${server.url}/v2/models/fp16`)).json()) as Record<string, unknown>;
      expect(meta).toMatchObject({ inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 4] }], outputs: [{ name: 'y16', datatype: 'FP16' }, { name: 'y32', datatype: 'FP32' }] });
      const post = async (datatype: string, data: unknown[], outputs?: Array<{ name: string }>) => (await oip(server.url, '/v2/models/fp16/infer',
        JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype, data }], ...(outputs ? { outputs } : {}) }))) as { status: number; body: { error?: string; outputs?: Array<{ name: string; datatype: string; data: number[] }> } };
      // 1/3 is not a binary16 value: it comes back as the nearest one, as ONNX Runtime's own cast makes it.
      const ok = await post('FP16', [1.5, -2, 65504, 1 / 3]);
      expect(ok.status).toBe(200);
      const [y16, y32] = ok.body.outputs!;
      expect(y16).toMatchObject({ name: 'y16', datatype: 'FP16' });
      expect(y16.data).toEqual([1.5, -2, 65504, 0.333251953125]);
      expect(y32.data).toEqual(y16.data);
      // The request's `outputs` picks what comes back; one the model lacks is a 400.
      const one = await post('FP16', [1, 2, 3, 4], [{ name: 'y32' }]);
      expect(one.body.outputs!.map((o) => o.name)).toEqual(['y32']);
      expect(await post('FP16', [1, 2, 3, 4], [{ name: 'z' }])).toEqual({ status: 400, body: { error: "the model has no output 'z'; its outputs are 'y16', 'y32'" } });
      expect(await post('FP16', [1, 2, 3, 70000])).toEqual({ status: 400, body: { error: "input 'x': value 3 (70000) is beyond FP16's largest finite value, 65504" } });
      expect(await post('BYTES', ['a', 'b', 'c', 'd'])).toEqual({ status: 400, body: { error: "input 'x': datatype \"BYTES\" is not served here (BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64); the model takes FP16" } });
    } finally {
      await server.close();
    }
  });

  test('the binary16 conversion round-trips every finite half and rounds half to even', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalf(h);
      if (Number.isNaN(v)) continue;
      expect(toHalf(v)).toBe(h === 0x8000 ? 0x8000 : h);
    }
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and the next half: to the even one
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalf(2 ** -25)).toBe(0); // below half the smallest subnormal
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
      [['profile', '--out', join(tempDir(), 'p.json')], /--model is required: the ONNX model to profile$/],
      [['profile', '--model', MODELS.digits], /--out is required: where to write the profile/],
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
    // drift-issue: outside a workflow run its event file and repository must be given.
    for (const [args, expected] of [
      [['drift-issue', '--repo', 'acme/models'], /--event is required outside a workflow run/],
      [['drift-issue', '--event', join(tempDir(), 'none.json'), '--repo', 'acme/models'], /--event \S+none\.json: no such file$/],
    ] as Array<[string[], RegExp]>) {
      const r = edgeml(args, { GITHUB_EVENT_PATH: '', GITHUB_REPOSITORY: '', GITHUB_TOKEN: 'test-token' });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(expected);
    }
  });
});
