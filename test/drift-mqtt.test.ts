// Drift over MQTT on real parts: the served model's telemetry windows go out through the agent's
// reporter (the outbox, mutual TLS, QoS 1, retained) to Debian's mosquitto; each retained
// telemetry message carries the device's last windows, so `edgeml drift --broker` (an operator's
// certificate) and mosquitto_sub (a third-party reader) see the streak without any store of ours.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Reporter } from '../src/agent/report.js';
import { readNpy, rng } from '../src/tensors/index.js';
import { profileModel, type Profile, type TelemetryWindow } from '../src/drift/index.js';
import { serveModel } from '../src/serve/index.js';
import { DIGITS, MODELS, edgeml, edgemlAsync, tempDir } from './helpers.js';
import { startBroker, type Broker } from './mosquitto.js';
import { startGitHubServer } from './github-server.js';
import { tool } from './tools.js';

const mosquitto = tool(existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto', 'mosquitto');
const mosquittoSub = tool('mosquitto_sub', 'mosquitto-clients');
const mosquittoPub = tool('mosquitto_pub', 'mosquitto-clients');

const DATA = join(DIGITS, 'test_inputs.npy');
const pixels = readNpy(DATA).data as unknown as Float32Array;

describe.skipIf(!mosquitto || !mosquittoSub || !mosquittoPub)('drift over MQTT', () => {
  const base = tempDir('edgeml-drift-mqtt-');
  const ca = join(base, 'ca');
  const id = (name: string) => join(base, 'ids', name);
  const tls = (who: string) => ['--cert', join(id(who), 'client.crt'), '--key', join(id(who), 'client.key'), '--ca', join(ca, 'ca.crt')];
  const client = (prog: string, who: string, args: string[], input?: string) => spawnSync(prog, ['-V', 'mqttv5', '-h', '127.0.0.1', '-p', String(broker.port), '--cafile', join(ca, 'ca.crt'),
    '--cert', join(id(who), 'client.crt'), '--key', join(id(who), 'client.key'), ...args], { encoding: 'utf8', input, timeout: 30_000 });
  let broker: Broker;
  let profile: Profile;

  beforeAll(async () => {
    for (const args of [['ca', '--out', ca], ['provision', '--ca', ca, '--server', '127.0.0.1', '--out', id('broker')], ['provision', '--ca', ca, '--device', 'd1', '--out', id('d1')],
      ['provision', '--ca', ca, '--device', 'd2', '--out', id('d2')], ['provision', '--ca', ca, '--operator', 'ops', '--out', id('ops')]]) {
      const r = edgeml(['devices', ...args]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    mkdirSync(join(base, 'broker'));
    broker = await startBroker(mosquitto!, join(base, 'broker'), id('broker'));
    profile = await profileModel(MODELS.digits, 'digits', { pixels: { kind: 'npy', path: DATA } });
  }, 240_000);
  afterAll(async () => broker?.stop());

  /** `windows` windows of 40 inverted digits served by d1, each handed to its reporter as the agent does. */
  async function serveInverted(windows: number): Promise<TelemetryWindow[]> {
    const reporter = new Reporter({
      broker: broker.url, cert: join(id('d1'), 'client.crt'), key: join(id('d1'), 'client.key'), ca: join(ca, 'ca.crt'), fleet: 'demo', deviceId: 'd1',
      dir: join(base, 'dev-d1'), channel: 'stable', target: 'cpu-fp32', runtimeVersion: null, queueLimit: 100, connectTimeoutMs: 20_000, log: () => undefined,
    });
    const seen: TelemetryWindow[] = [];
    const server = await serveModel({ model: MODELS.digits, name: 'digits', listen: '127.0.0.1:0', profile, window: 40, device: 'd1', onWindow: (w) => {
      seen.push(w);
      reporter.servedWindow(w);
    } });
    const next = rng(5);
    for (let i = 0; i < windows * 40; i++) {
      const r = Math.floor(next() * 540);
      const data = Array.from(pixels.subarray(r * 64, (r + 1) * 64), (v) => 1 - v);
      const res = await fetch(`${server.url}/v2/models/digits/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data }] }) });
      expect(res.status).toBe(200);
    }
    await server.close();
    await reporter.flush(true);
    await reporter.close();
    expect(reporter.figures.queued).toBe(0);
    return seen;
  }

  test('the retained telemetry carries the last windows; mosquitto_sub reads them, edgeml drift --broker fires the trigger', async () => {
    const sent = await serveInverted(4);
    expect(sent.map((w) => w.verdict?.drift)).toEqual([true, true, true, true]);
    const got = client(mosquittoSub!, 'ops', ['-t', 'edgeml/demo/d1/telemetry', '-C', '1', '-W', '10']);
    expect(got.status).toBe(0);
    const message = JSON.parse(got.stdout);
    expect(message).toMatchObject({ schema: 'edgeml-device-telemetry/1', deviceId: 'd1' });
    expect(message.serve.windows.map((w: TelemetryWindow) => w.end)).toEqual(sent.map((w) => w.end));
    const r = await edgemlAsync(['drift', '--broker', broker.url, '--fleet', 'demo', ...tls('ops'), '--json', join(base, 'drift.json')]);
    expect(r.stderr).toBe('edgeml: drift: the trigger fired (windows in a row breached)\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('**Drift: 3 windows in a row on d1**');
  });

  test('drift --broker --dispatch: the trigger read from the retained telemetry is sent once, to the GitHub API stand-in', async () => {
    const gh = await startGitHubServer();
    try {
      const env = { GITHUB_API_URL: gh.url, GITHUB_TOKEN: 'ghs_test' };
      const state = join(base, 'dispatched.json');
      const args = ['drift', '--broker', broker.url, '--fleet', 'demo', ...tls('ops'), '--dispatch', 'acme/digits', '--dispatch-state', state, '--version', '1.0.0', '--cohort', 'stable'];
      const first = await edgemlAsync(args, env);
      expect(first.status, first.stderr).toBe(1);
      expect(first.stderr).toContain('drift: dispatched edgeml-drift to acme/digits');
      const again = await edgemlAsync(args, env);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/drift: already dispatched for d1 at /);
      expect(gh.violations).toEqual([]);
      expect(gh.dispatches).toHaveLength(1);
      expect(gh.dispatches[0]).toMatchObject({ repo: 'acme/digits', event_type: 'edgeml-drift' });
      expect(gh.dispatches[0].client_payload).toMatchObject({
        model: 'digits', version: '1.0.0', sha256: profile.model.sha256, cohort: 'stable', windows: 3, devices: ['d1'], devicesTotal: 1, metric: expect.stringMatching(/^(outputs|inputs)\./),
      });
      expect(JSON.parse(readFileSync(state, 'utf8'))).toHaveLength(1);
      // Over --broker there is no telemetry folder to keep the triggers sent in: one line, exit 2, nothing sent.
      const stateless = await edgemlAsync(['drift', '--broker', broker.url, '--fleet', 'demo', ...tls('ops'), '--dispatch', 'acme/digits'], env);
      expect(stateless.status).toBe(2);
      expect(stateless.stderr.trim().split('\n').pop()).toBe('edgeml: error: --dispatch with --broker: give --dispatch-state FILE, where the triggers already sent are kept');
      expect(gh.dispatches).toHaveLength(1);
    } finally {
      await gh.close();
    }
  });

  test('a window under another device\'s topic is left out and said; without windows or --fleet: one line, exit 2', async () => {
    const spoof = { schema: 'edgeml-device-telemetry/1', deviceId: 'd2', windowStart: new Date().toISOString(), windowEnd: new Date().toISOString(), serve: { windows: [{ model: 'digits', sha256: profile.model.sha256, device: 'd1', start: '2020-01-01T00:00:00Z', end: '2020-01-01T00:01:00Z', requests: 40, counts: {} }] } };
    const pub = client(mosquittoPub!, 'd2', ['-t', 'edgeml/demo/d2/telemetry', '-r', '-q', '1', '-s'], JSON.stringify(spoof));
    expect(pub.status, pub.stderr).toBe(0);
    const r = await edgemlAsync(['drift', '--broker', broker.url, '--fleet', 'demo', ...tls('ops'), '--json', join(base, 'drift2.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/drift: edgeml\/demo\/d2\/telemetry:1: left out, window of device 'd1' under d2's topic/);
    const cases: Array<[string[], RegExp]> = [
      [['drift', '--broker', broker.url, ...tls('ops')], /--fleet \(drift over --broker\)/],
      [['drift', '--broker', broker.url, '--fleet', 'empty', ...tls('ops'), '--wait', '2s'], /no device of fleet 'empty' reports served-model windows yet/],
      [['drift', '--broker', broker.url, '--fleet', 'demo', '--telemetry', base], /give --telemetry DIR or --broker URL, not both$/],
      [['drift'], /give --telemetry DIR .* or --broker URL --fleet NAME/],
    ];
    for (const [args, expected] of cases) {
      const x = await edgemlAsync(args);
      expect(x.status, x.stderr).toBe(2);
      expect(x.stderr.trim().split('\n')).toHaveLength(1);
      expect(x.stderr.trim()).toMatch(expected);
    }
  });
});
