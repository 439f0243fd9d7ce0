// The fleet reports back through Debian's mosquitto, run from examples/mosquitto/ with
// certificates made by `edgeml devices`: the agent publishes over MQTT 5, mosquitto_sub (a third
// party) and `edgeml fleet status` read it, the ACL holds, bad certificates and hostile messages
// read as one clear line, the outbox survives a broker that is away, and promote --gate acts on it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCa, describeBrokerError, issue } from '../src/devices/index.js';
import { LocalDirStorage, collectArtifacts, publishRelease } from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { STATUS_SCHEMA } from '../src/fleet-status/index.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { MODELS, artifactsOf, edgeml, edgemlAsync, tempDir } from './helpers.js';
import { freePort, startBroker, type Broker } from './mosquitto.js';
import { tool } from './tools.js';

const mosquitto = tool(existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto', 'mosquitto');
const mosquittoSub = tool('mosquitto_sub', 'mosquitto-clients');
const mosquittoPub = tool('mosquitto_pub', 'mosquitto-clients');

describe.skipIf(!mosquitto || !mosquittoSub || !mosquittoPub)('fleet reporting through mosquitto', () => {
  const base = tempDir('edgeml-fleet-mqtt-');
  const ca = join(base, 'ca');
  const id = (name: string) => join(base, 'ids', name);
  let broker: Broker;
  let channel: ChannelServer;
  const repo = join(base, 'repo');
  const keys = join(base, 'keys');

  const tls = (who: string, caFile = join(ca, 'ca.crt')) => ['--cert', join(id(who), 'client.crt'), '--key', join(id(who), 'client.key'), '--ca', caFile];
  const sub = (who: string, topic: string, extra: string[] = []) => spawnSync(mosquittoSub!, ['-V', 'mqttv5', '-h', '127.0.0.1', '-p', String(broker.port), '--cafile', join(ca, 'ca.crt'),
    '--cert', join(id(who), 'client.crt'), '--key', join(id(who), 'client.key'), '-t', topic, ...extra], { encoding: 'utf8', timeout: 30_000 });
  const pub = (who: string, topic: string, message: string) => spawnSync(mosquittoPub!, ['-V', 'mqttv5', '-h', '127.0.0.1', '-p', String(broker.port), '--cafile', join(ca, 'ca.crt'),
    '--cert', join(id(who), 'client.crt'), '--key', join(id(who), 'client.key'), '-t', topic, '-r', '-q', '1', '-s'], { encoding: 'utf8', input: message, timeout: 30_000 });
  const agentArgs = (device: string, dir: string, brokerUrl = broker.url, certOf = device) => ['agent', '--channel-url', channel.url, '--root', join(repo, '1.root.json'), '--channel', 'beta',
    '--target', 'cpu-fp32', '--dir', dir, '--device-id', device, '--broker', brokerUrl, ...tls(certOf), '--fleet', 'demo', '--timeout', '20s', '--once'];
  const status = (fleet: string, who = 'ops', extra: string[] = []) => edgemlAsync(['fleet', 'status', '--broker', broker.url, '--fleet', fleet, ...tls(who), '--wait', '10s', ...extra]);

  beforeAll(async () => {
    // The CA, the broker's, one device's and the operator's certificates as a user makes them.
    for (const args of [['ca', '--out', ca], ['provision', '--ca', ca, '--server', '127.0.0.1', '--out', id('broker')],
      ['provision', '--ca', ca, '--device', 'd1', '--out', id('d1')], ['provision', '--ca', ca, '--operator', 'ops', '--out', id('ops')]]) {
      const r = edgeml(['devices', ...args]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    expect((readFileSync(join(id('d1'), 'client.crt'), 'utf8'))).toMatch(/BEGIN CERTIFICATE/);
    // The rest from the same core, in process (each CLI start costs seconds on a loaded machine).
    for (const d of ['d2', 'd3', 'h-big', 'h-types', 'h-html', 'h-junk', 'g1', 'g2', 'g3', 'g4']) await issue(ca, id(d), { role: 'device', name: d });
    await issue(ca, id('expired'), { role: 'device', name: 'expired', notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    await createCa(join(base, 'other-ca'));
    await issue(join(base, 'other-ca'), id('foreign-ops'), { role: 'operator', name: 'ops' });
    mkdirSync(join(base, 'broker'));
    broker = await startBroker(mosquitto!, join(base, 'broker'), id('broker'));
    initKeys(keys);
    await publishRelease(new LocalDirStorage(repo), keys, {
      channel: 'beta', model: 'digits', version: '1.0.0', artifacts: await collectArtifacts({ artifactsDir: artifactsOf(MODELS.digits) }), rollout: { percent: 100, notBefore: null },
    });
    channel = await serveChannel(repo);
  }, 240_000);

  afterAll(async () => {
    await channel?.close();
    await broker?.stop();
  });

  test('agent --once publishes a retained status and telemetry over MQTT 5; mosquitto_sub and fleet status read them', async () => {
    const r = await edgemlAsync(agentArgs('d1', join(base, 'dev-d1')));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = sub('ops', 'edgeml/demo/d1/status', ['-C', '1', '-W', '10']);
    expect(got.status).toBe(0);
    const s = JSON.parse(got.stdout);
    expect(s).toMatchObject({
      schema: STATUS_SCHEMA, deviceId: 'd1', fleet: 'demo', model: 'digits', channel: 'beta', target: 'cpu-fp32', state: 'success', error: null,
      desired: { version: '1.0.0', release: 1 }, installed: { version: '1.0.0', release: 1 }, agentVersion: '0.1.0', reportsDropped: 0,
    });
    expect(s.desired.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.cohort).toBeGreaterThanOrEqual(0);
    const tele = JSON.parse(sub('ops', 'edgeml/demo/d1/telemetry', ['-C', '1', '-W', '10']).stdout);
    expect(tele.rssBytes).toBeGreaterThan(10_000_000);
    expect(tele.diskFreeBytes).toBeGreaterThan(0);
    expect(tele.latency.count).toBe(1); // the health check's inference
    expect(tele.latency.p50Ms).toBeGreaterThan(0);
    const json = join(base, 'status-d1.json');
    const st = await status('demo', 'ops', ['--json', json]);
    expect(st.stderr).toBe('');
    expect(st.status).toBe(0);
    expect(st.stdout).toMatch(/^fleet demo: \d+ devices reporting/);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.devices.find((d: { deviceId: string }) => d.deviceId === 'd1')).toMatchObject({ desired: '1.0.0', installed: '1.0.0', state: 'success', lagging: false, failing: false });
    // A second poll finds it installed.
    const again = await edgemlAsync(agentArgs('d1', join(base, 'dev-d1')));
    expect(again.status).toBe(0);
    expect(JSON.parse(sub('ops', 'edgeml/demo/d1/status', ['-C', '1', '-W', '10']).stdout).state).toBe('already-installed');
  }, 180_000);

  test('the ACL: a device cannot report as another, read another, or read the fleet; the agent refuses a certificate of another device', async () => {
    const before = sub('ops', 'edgeml/demo/d1/status', ['-C', '1', '-W', '10']).stdout;
    const spoof = pub('d2', 'edgeml/demo/d1/status', JSON.stringify({ schema: STATUS_SCHEMA, deviceId: 'd1', state: 'failure', time: new Date().toISOString() }));
    expect(spoof.stderr).toMatch(/not authorized/i);
    expect(sub('ops', 'edgeml/demo/d1/status', ['-C', '1', '-W', '10']).stdout).toBe(before);
    const snoop = sub('d2', 'edgeml/#', ['-W', '3']);
    expect(snoop.stdout).toBe('');
    expect(snoop.status).not.toBe(0); // timed out with nothing delivered
    const r = edgeml(agentArgs('d1', join(base, 'dev-x'), broker.url, 'd2'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^edgeml: error: --cert \S+d2\/client\.crt: issued to "d2", not to this device \(d1\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  test('expired, foreign and untrusted certificates: one clear line, exit 2, from us and from the broker', async () => {
    const expired = edgeml(agentArgs('expired', join(base, 'dev-expired')));
    expect(expired.status).toBe(2);
    expect(expired.stderr).toMatch(/^edgeml: error: --cert \S+expired\/client\.crt: expired on \d{4}-\d\d-\d\dT.*; issue a new one with 'edgeml devices provision'\n$/);
    expect(existsSync(join(base, 'dev-expired', 'current'))).toBe(false); // refused before the first poll
    const foreign = await status('demo', 'foreign-ops');
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toMatch(/^edgeml: error: --cert \S+foreign-ops\/client\.crt: not issued by the CA in --ca \S+ \(a foreign certificate\)/);
    // A certificate consistent with its own CA, but not the broker's: the broker's certificate is untrusted.
    const untrusted = await edgemlAsync(['fleet', 'status', '--broker', broker.url, '--fleet', 'demo', ...tls('foreign-ops', join(base, 'other-ca', 'ca.crt')), '--wait', '5s']);
    expect(untrusted.status).toBe(2);
    expect(untrusted.stderr).toMatch(/^edgeml: error: broker mqtts:\/\/127\.0\.0\.1:\d+ presented a certificate we do not trust \(SELF_SIGNED_CERT_IN_CHAIN\); --ca must be the fleet CA/);
    // The broker's own refusal of an expired and of a foreign client certificate, as the agent words it.
    for (const [who, why] of [['expired', /refused our client certificate \(certificate expired\)/], ['foreign-ops', /refused our client certificate \(unknown CA/]] as const) {
      const err = await new Promise<unknown>((resolve) => {
        const c = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000, ca: readFileSync(join(ca, 'ca.crt')), cert: readFileSync(join(id(who), 'client.crt')), key: readFileSync(join(id(who), 'client.key')) });
        c.once('error', (e) => { c.end(true); resolve(e); });
        c.once('connect', () => { c.end(true); resolve(null); });
      });
      expect(err).not.toBeNull();
      expect(describeBrokerError(err).text).toMatch(why);
    }
    // A device's certificate reads nothing of the fleet: the broker delivers it no other device's report.
    const asDevice = await status('demo', 'd2', ['--wait', '3s']);
    expect(asDevice.status).toBe(0);
    expect(asDevice.stdout).toMatch(/^fleet demo: 0 devices reporting/);
  }, 120_000);

  test('reports made while the broker is unreachable wait on disk (bounded, oldest dropped, counted) and go out when it returns', async () => {
    const dir = join(base, 'dev-d3');
    const closed = `mqtts://127.0.0.1:${await freePort()}`;
    const away = await edgemlAsync([...agentArgs('d3', dir, closed), '--report-queue', '3']);
    expect(away.status).toBe(0); // the update went in; reporting waits
    expect(away.stdout).toMatch(/ installed: digits 1\.0\.0/);
    expect(away.stderr).toMatch(new RegExp(`reports: broker ${closed.replace(/\./g, '\\.')} is unreachable \\(ECONNREFUSED\\); reports kept under \\S+reports for later`));
    expect(away.stderr).toMatch(/the outbox under \S+ is full \(3\); dropped the 1 oldest/);
    const queued = readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.json'));
    expect(queued).toHaveLength(3);
    expect(Number(readFileSync(join(dir, 'reports', 'dropped'), 'utf8'))).toBeGreaterThanOrEqual(2);
    const dropped = Number(readFileSync(join(dir, 'reports', 'dropped'), 'utf8'));
    const back = await edgemlAsync([...agentArgs('d3', dir), '--report-queue', '100']);
    expect(back.stderr).toBe('');
    expect(back.status).toBe(0);
    expect(readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.json'))).toHaveLength(0);
    const s = JSON.parse(sub('ops', 'edgeml/demo/d3/status', ['-C', '1', '-W', '10']).stdout);
    expect(s).toMatchObject({ state: 'already-installed', reportsDropped: dropped });
  }, 180_000);

  test('hostile messages (huge, wrong types, HTML and escape codes in the error text, junk) never break fleet status and are escaped', async () => {
    const now = new Date().toISOString();
    const ok = (device: string, over: object) => JSON.stringify({ schema: STATUS_SCHEMA, deviceId: device, state: 'failure', time: now, ...over });
    expect(pub('h-big', 'edgeml/hostile/h-big/status', ok('h-big', { pad: 'x'.repeat(200_000) })).status).toBe(0);
    expect(pub('h-types', 'edgeml/hostile/h-types/status', ok('h-types', { desired: 7, installed: ['x'], retries: 'lots', cohort: -5, error: 'str' })).status).toBe(0);
    expect(pub('h-html', 'edgeml/hostile/h-html/status', ok('h-html', { desired: { version: '<b>2</b>' }, error: { type: 'health-check', message: '<script>alert(1)</script> @everyone \u001b[2J | x\n| y' } })).status).toBe(0);
    expect(pub('h-junk', 'edgeml/hostile/h-junk/status', '\u0000\u0001 not json').status).toBe(0);
    const md = join(base, 'hostile.md');
    const json = join(base, 'hostile.json');
    const r = await status('hostile', 'ops', ['--markdown', md, '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.totals).toMatchObject({ devices: 2, malformed: 2 });
    expect(doc.malformed.map((m: { reason: string }) => m.reason).sort()).toEqual(['not JSON', expect.stringMatching(/^too large \(\d+ bytes, at most 65536\)$/)]);
    expect(doc.devices.find((d: { deviceId: string }) => d.deviceId === 'h-types')).toMatchObject({ desired: null, installed: null, retries: 0, cohort: null, error: null, state: 'failure' });
    const text = readFileSync(md, 'utf8');
    expect(text).not.toMatch(/<script|<b>|@everyone|\u001b/);
    expect(text).toContain('&#60;script&#62;');
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).toContain('h-html');
  }, 120_000);

  test('promote --gate: too few devices stops, a passing stage promotes, a crossed error threshold rolls the channel back', async () => {
    await publishRelease(new LocalDirStorage(repo), keys, {
      channel: 'beta', model: 'digits', version: '2.0.0', artifacts: await collectArtifacts({ artifactsDir: artifactsOf(MODELS.conv1) }), rollout: { percent: 100, notBefore: null },
    });
    const report = async (device: string, state: string, installed: string, error: object | null = null) => {
      const c = await mqtt.connectAsync(broker.url, { protocolVersion: 5, ca: readFileSync(join(ca, 'ca.crt')), cert: readFileSync(join(id(device), 'client.crt')), key: readFileSync(join(id(device), 'client.key')) });
      await c.publishAsync(`edgeml/gate/${device}/status`, JSON.stringify({
        schema: STATUS_SCHEMA, deviceId: device, channel: 'beta', model: 'digits', desired: { version: '2.0.0', release: 2 }, installed: { version: installed, release: 1 }, state, error, time: new Date().toISOString(),
      }), { qos: 1, retain: true });
      await c.endAsync();
    };
    for (const d of ['g1', 'g2', 'g3']) await report(d, 'success', '2.0.0');
    const promote = (extra: string[]) => edgemlAsync(['promote', '--repo', repo, '--keys', keys, '--channel', 'stable', '--from', 'beta', '--version', '2.0.0', '--gate',
      '--broker', broker.url, '--fleet', 'gate', ...tls('ops'), '--wait', '10s', '--min-devices', '4', '--success-threshold', '75', '--error-threshold', '20', ...extra]);
    const few = await promote([]);
    expect(few.status).toBe(1);
    expect(few.stderr).toMatch(/^edgeml: gate: 2\.0\.0 is not judged yet: 3 of the 4 devices needed report it .*; not promoted\n$/);
    expect(few.stdout).toMatch(/fleet gate: 3 devices reporting/);
    expect(existsSync(join(repo, 'stable.json')) && JSON.stringify(JSON.parse(readFileSync(join(repo, 'stable.json'), 'utf8')).signed.targets).includes('2.0.0')).toBe(false);
    await report('g4', 'downloading', '1.0.0');
    const md = join(base, 'gate.md');
    const pass = await promote(['--markdown', md]);
    expect(pass.stderr).toBe('');
    expect(pass.status).toBe(0);
    expect(pass.stdout).toMatch(/gate: 2\.0\.0 passes: 4 reporting devices, 75% succeeded, 0% failed/);
    expect(pass.stdout).toMatch(/stable: promoted digits 2\.0\.0/);
    expect(readFileSync(md, 'utf8')).toMatch(/\*\*gate&#58; 2&#46;0&#46;0 passes&#58; 4 reporting devices/); // escaped like every string in the report
    await report('g4', 'failure', '1.0.0', { type: 'health-check', message: 'one inference took 900 ms' });
    await report('g3', 'failure', '1.0.0', { type: 'health-check', message: 'crashed' });
    const stop = await promote([]);
    expect(stop.status).toBe(1);
    expect(stop.stderr).toMatch(/gate: 2\.0\.0 crossed the error threshold: 2 of 4 devices failed \(50% > 20%\); not promoted/);
    const back = await promote(['--auto-rollback']);
    expect(back.status).toBe(1);
    expect(back.stdout).toMatch(/beta: rolled back to digits 1\.0\.0 \(release \d+/);
    expect(back.stderr).toMatch(/crossed the error threshold.*; rolled beta back \(auto-rollback\) to 1\.0\.0 \(release \d+\)/);
  }, 240_000);

  test('--metrics serves the same figures for Prometheus while the agent runs', async () => {
    const port = await freePort();
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./helpers.js');
    const loop = agentArgs('d1', join(base, 'dev-d1')).filter((a) => a !== '--once');
    const p = spawn(process.execPath, [CLI, ...loop, '--interval', '1s', '--metrics', `127.0.0.1:${port}`], { stdio: 'ignore' });
    try {
      let text = '';
      for (let i = 0; i < 240 && !/edgeml_agent_state\{state="already-installed"[^}]*\} 1/.test(text); i++) {
        await new Promise((r) => setTimeout(r, 500));
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
      }
      expect(text).toMatch(/edgeml_agent_state\{state="already-installed"[^}]*device="d1"[^}]*\} 1/);
      expect(text).toMatch(/edgeml_agent_state\{state="failure"[^}]*\} 0/);
      expect(text).toMatch(/edgeml_agent_installed_info\{model="digits",version="[12]\.0\.0",channel="beta"[^}]*\} 1/); // 1.0.0 once the gate test rolled beta back
      expect(text).toMatch(/edgeml_agent_reports_queued\{[^}]*\} 0/);
      expect(text).toMatch(/edgeml_agent_reports_sent\{[^}]*\} [1-9]/);
      expect(text).toMatch(/edgeml_device_disk_free_bytes\{path="[^"]+dev-d1"[^}]*\} [1-9]/);
      // No thermal zone in a container: no sample, rather than a made-up 0.
      if (!existsSync('/sys/class/thermal/thermal_zone0/temp')) expect(text).not.toMatch(/^edgeml_device_cpu_temperature_celsius\{/m);
      expect(text).toMatch(/process_resident_memory_bytes/);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      p.kill('SIGTERM');
    }
  }, 120_000);

  test('bad flags: exit 2, one line, nothing written', () => {
    for (const [args, message] of [
      [['fleet', 'status', '--broker', 'http://x', '--fleet', 'demo'], /--broker http:\/\/x: use mqtts:\/\/HOST:PORT/],
      [['fleet', 'status', '--broker', 'mqtts://127.0.0.1:1', '--fleet', 'a/b'], /--fleet \(fleet status\) "a\/b": use 1-64 letters/],
      [['fleet', 'status', '--broker', 'mqtts://127.0.0.1:1', '--fleet', 'demo'], /--cert is required with an mqtts:\/\/ broker/],
      [['devices', 'provision', '--ca', ca, '--device', 'a/b', '--out', join(base, 'nope')], /--device "a\/b": a device id is 1-128 letters/],
      [['devices', 'provision', '--ca', join(base, 'missing'), '--device', 'x', '--out', join(base, 'nope')], /--ca \S+missing: no ca\.crt and ca\.key there/],
      [['devices', 'provision', '--ca', ca, '--device', 'x', '--operator', 'y', '--out', join(base, 'nope')], /give exactly one of --device ID, --operator NAME or --server HOST/],
      [['devices', 'ca', '--out', ca], /already holds a fleet CA/],
    ] as const) {
      const r = edgeml([...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(base, 'nope'))).toBe(false);
  }, 120_000);
});
