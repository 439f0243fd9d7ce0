// node benchmark/fleet.mjs [--devices 10000] [--polls 30]  (after npm run build) -> prints a Markdown section
// 1. N simulated devices' status and telemetry (retained, QoS 1) through Debian's mosquitto, run
//    from examples/mosquitto/ with TLS and the ACL; then `edgeml fleet status --json` as an
//    operator, timed with its peak RSS (/usr/bin/time).
// 2. The agent's steady RSS and CPU per poll: `edgeml agent --interval 1s --broker ...` on a device
//    that is up to date, sampled from /proc.
// The simulator is one TLS connection whose certificate's CN ('simulator') the benchmark's copy of
// the ACL lets write edgeml/bench/#; a real fleet has one connection per device.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, createServer as netServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const DEVICES = arg('devices', 10_000);
const POLLS = arg('polls', 30);
const { createCa, issue } = await import(join(ROOT, 'build/src/devices/index.js'));
const { LocalDirStorage, collectArtifacts, publishRelease } = await import(join(ROOT, 'build/src/fleet/index.js'));
const { initKeys } = await import(join(ROOT, 'build/src/fleet/keys.js'));
const { STATUS_SCHEMA, TELEMETRY_SCHEMA, emptyHistogram, record } = await import(join(ROOT, 'build/src/fleet-status/index.js'));

const base = mkdtempSync(join(os.tmpdir(), 'edgeml-bench-fleet-'));
const id = (n) => join(base, 'ids', n);
const free = () => new Promise((r) => { const s = netServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });

await createCa(join(base, 'ca'));
await issue(join(base, 'ca'), id('broker'), { role: 'server', name: '127.0.0.1' });
await issue(join(base, 'ca'), id('ops'), { role: 'operator', name: 'ops' });
await issue(join(base, 'ca'), id('simulator'), { role: 'device', name: 'simulator' });
await issue(join(base, 'ca'), id('dev-1'), { role: 'device', name: 'dev-1' });

// The broker: the example configuration with paths and port rewritten (as test/mosquitto.ts does).
const bdir = join(base, 'broker');
mkdirSync(bdir);
for (const f of ['ca.crt', 'server.crt', 'server.key']) copyFileSync(join(id('broker'), f), join(bdir, f));
writeFileSync(join(bdir, 'acl'), `${readFileSync(join(ROOT, 'examples/mosquitto/acl'), 'utf8')}\nuser simulator\ntopic write edgeml/bench/#\n`);
const port = await free();
const conf = readFileSync(join(ROOT, 'examples/mosquitto/mosquitto.conf'), 'utf8').replaceAll('/etc/mosquitto/edgeml/', `${bdir}/`).replaceAll('/var/lib/mosquitto/', `${bdir}/`)
  .replace(/^listener 8883$/m, `listener ${port} 127.0.0.1`);
writeFileSync(join(bdir, 'mosquitto.conf'), `${conf}\n${process.getuid() === 0 ? `user ${os.userInfo().username}\n` : ''}`);
const mosquittoBin = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
const broker = spawn(mosquittoBin, ['-c', join(bdir, 'mosquitto.conf')], { stdio: 'ignore' });
for (let i = 0; ; i++) {
  const up = await new Promise((r) => { const s = connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
  if (up) break;
  if (i > 150) throw new Error('mosquitto did not start');
  await new Promise((r) => setTimeout(r, 100));
}
const url = `mqtts://127.0.0.1:${port}`;
const tls = (who) => ({ ca: readFileSync(join(base, 'ca', 'ca.crt')), cert: readFileSync(join(id(who), 'client.crt')), key: readFileSync(join(id(who), 'client.key')) });

// 1. The simulated fleet.
const STATES = ['success', 'success', 'success', 'success', 'already-installed', 'already-installed', 'downloading', 'failure', 'idle', 'unreachable'];
const sim = await mqtt.connectAsync(url, { protocolVersion: 5, ...tls('simulator') });
const t0 = performance.now();
let bytes = 0;
const now = Date.now();
for (let i = 0; i < DEVICES; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(DEVICES, i + 200); j++) {
    const device = `dev-${String(j).padStart(5, '0')}`;
    const state = STATES[j % STATES.length];
    const h = emptyHistogram();
    for (let k = 0; k < 200; k++) record(h, 2 + ((j * 7 + k * 13) % 100) / 20);
    const status = JSON.stringify({
      schema: STATUS_SCHEMA, deviceId: device, fleet: 'bench', model: 'digits', channel: j % 5 ? 'stable' : 'beta', target: 'cpu-int8', cohort: j % 100,
      desired: { version: '1.3.0', release: 7, sha256: 'ab'.repeat(32) }, installed: { version: state === 'success' || state === 'already-installed' ? '1.3.0' : '1.2.0', release: 6, sha256: 'cd'.repeat(32) },
      state, error: state === 'failure' ? { type: 'health-check', message: 'one inference took 91.0 ms, over the --max-latency budget of 50 ms' } : null,
      retries: state === 'failure' ? 2 : 0, agentVersion: '0.1.0', runtimeVersion: '1.30.0', time: new Date(now - (j % 50) * 60_000).toISOString(), since: null, reportsDropped: 0,
    });
    const telemetry = JSON.stringify({ schema: TELEMETRY_SCHEMA, deviceId: device, fleet: 'bench', version: '1.3.0', windowStart: new Date(now - 300_000).toISOString(), windowEnd: new Date(now).toISOString(), latency: h, rssBytes: 9e7, diskFreeBytes: 5e9, cpuTempC: 48 });
    bytes += status.length + telemetry.length;
    batch.push(sim.publishAsync(`edgeml/bench/${device}/status`, status, { qos: 1, retain: true }), sim.publishAsync(`edgeml/bench/${device}/telemetry`, telemetry, { qos: 1, retain: true }));
  }
  await Promise.all(batch);
}
const publishMs = performance.now() - t0;
await sim.endAsync();

// The same read in this process (no process start), then the CLI as a user runs it.
const { collect, aggregate } = await import(join(ROOT, 'build/src/fleet-status/index.js'));
const t1 = performance.now();
const messages = await collect({ url, cert: join(id('ops'), 'client.crt'), key: join(id('ops'), 'client.key'), ca: join(base, 'ca', 'ca.crt'), fleet: 'bench', waitMs: 60_000 });
const collectMs = performance.now() - t1;
const t2 = performance.now();
const cpu0 = process.cpuUsage();
const inProcess = aggregate('bench', messages, { silentAfterMs: 3_600_000 });
const aggregateMs = performance.now() - t2;
const aggregateCpu = process.cpuUsage(cpu0);
if (inProcess.totals.devices !== DEVICES) throw new Error(`collect saw ${inProcess.totals.devices} devices, not ${DEVICES}`);
const starts = [0, 1, 2].map(() => {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, CLI, '--version'], { encoding: 'utf8' });
  const [e, u, sy] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall: e, cpu: u + sy };
}).sort((a, b) => a.wall - b.wall);
const out = join(base, 'status.json');
const timed = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, CLI, 'fleet', 'status', '--broker', url, '--fleet', 'bench', '--cert', join(id('ops'), 'client.crt'), '--key', join(id('ops'), 'client.key'),
  '--ca', join(base, 'ca', 'ca.crt'), '--wait', '60s', '--json', out], { encoding: 'utf8' });
if (timed.status !== 0) throw new Error(`fleet status failed: ${timed.stderr}`);
const [wall, user, sys, maxKb] = timed.stderr.trim().split('\n').pop().split(' ').map(Number);
const doc = JSON.parse(readFileSync(out, 'utf8'));
if (doc.totals.devices !== DEVICES) throw new Error(`fleet status saw ${doc.totals.devices} devices, not ${DEVICES}`);

// 2. The agent's steady state: an up-to-date device polling every second and reporting each poll.
initKeys(join(base, 'keys'));
mkdirSync(join(base, 'art'));
copyFileSync(join(ROOT, 'examples/digits/mlp.onnx'), join(base, 'art', 'cpu-fp32.onnx'));
const repo = join(base, 'repo');
await publishRelease(new LocalDirStorage(repo), join(base, 'keys'), { channel: 'stable', model: 'digits', version: '1.0.0', artifacts: await collectArtifacts({ artifactsDir: join(base, 'art') }), rollout: { percent: 100, notBefore: null } });
const http = createServer((req, res) => {
  const f = join(repo, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (f.includes('..') || !existsSync(f) || !statSync(f).isFile()) return res.writeHead(404).end();
  res.writeHead(200, { 'content-length': statSync(f).size });
  createReadStream(f).pipe(res);
});
await new Promise((r) => http.listen(0, '127.0.0.1', r));
const agent = spawn(process.execPath, [CLI, 'agent', '--channel-url', `http://127.0.0.1:${http.address().port}`, '--root', join(repo, '1.root.json'), '--channel', 'stable', '--target', 'cpu-fp32',
  '--dir', join(base, 'device'), '--device-id', 'dev-1', '--broker', url, '--cert', join(id('dev-1'), 'client.crt'), '--key', join(id('dev-1'), 'client.key'), '--ca', join(base, 'ca', 'ca.crt'),
  '--fleet', 'bench', '--interval', '1s'], { stdio: ['ignore', 'pipe', 'inherit'] });
const TICK = 1e9 / 100; // ns per clock tick (USER_HZ 100 on Linux)
const sample = () => {
  const stat = readFileSync(`/proc/${agent.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))[1]) * 1024;
  return { cpuMs: ((Number(stat[11]) + Number(stat[12])) * TICK) / 1e6, rss };
};
let polls = 0;
let first = null;
const rss = [];
await new Promise((resolve) => {
  agent.stdout.on('data', (d) => {
    for (const l of String(d).split('\n').filter(Boolean)) {
      polls++;
      if (polls === 5) first = { ...sample(), polls, t: performance.now() }; // after the install and the warm-up
      if (polls > 5) rss.push(sample().rss);
      if (polls === 5 + POLLS) resolve();
      if (!/ (installed|up-to-date):/.test(l)) process.stderr.write(`agent: ${l}\n`);
    }
  });
});
const last = { ...sample(), t: performance.now() };
agent.kill('SIGTERM');
http.close();
broker.kill('SIGTERM');
const cpuPerPoll = (last.cpuMs - first.cpuMs) / POLLS;
const wallPerPoll = (last.t - first.t) / POLLS;
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const section = `
## Fleet reporting: ${DEVICES.toLocaleString('en')} devices through mosquitto, fleet status, the agent's steady state

Command: \`npm run build && node benchmark/fleet.mjs\` (${new Date().toISOString().slice(0, 10)}), ${os.cpus().length} cores (load average ${os.loadavg()[0].toFixed(1)} from other work while measuring), Node ${process.version}, Debian mosquitto with examples/mosquitto/ (TLS, client certificates, ACL).
${DEVICES.toLocaleString('en')} simulated devices each publish a retained status and a telemetry window (200-sample latency histogram), QoS 1, over one TLS connection (the benchmark's ACL lets its certificate write edgeml/bench/#).

| what | figure | goal |
| :-- | --: | --: |
| messages published (status + telemetry) | ${(2 * DEVICES).toLocaleString('en')}, ${mib(bytes)}, in ${(publishMs / 1000).toFixed(1)} s | |
| \`edgeml fleet status --json\`: wall time, process start to exit (1 s of it waiting for quiet after the retained burst) | ${wall.toFixed(2)} s | <= 5 s |
| \`edgeml fleet status --json\`: CPU (user + system) | ${(user + sys).toFixed(2)} s | |
| of which starting the CLI (\`edgeml --version\`, median of 3): wall / CPU | ${starts[1].wall.toFixed(2)} s / ${starts[1].cpu.toFixed(2)} s | |
| the same read in process: subscribe until the retained burst is in and 1 s quiet / aggregate (wall, CPU) | ${(collectMs / 1000).toFixed(2)} s / ${aggregateMs.toFixed(0)} ms, ${((aggregateCpu.user + aggregateCpu.system) / 1000).toFixed(0)} ms CPU | |
| \`edgeml fleet status\`: peak RSS | ${mib(maxKb * 1024)} | <= 300 MB |
| devices in the document / malformed | ${doc.totals.devices} / ${doc.totals.malformed} | ${DEVICES} / 0 |
| agent (up to date, --interval 1s, reporting each poll): RSS over ${POLLS} polls | ${mib(Math.min(...rss))} – ${mib(Math.max(...rss))} | |
| agent CPU per poll (user + system, /proc) | ${cpuPerPoll.toFixed(1)} ms | |
| agent wall time per poll incl. the 1 s interval | ${(wallPerPoll / 1000).toFixed(2)} s | |
`;
process.stdout.write(section);
if (process.argv.includes('--write')) appendFileSync(join(ROOT, 'benchmark/RESULTS.md'), section);
process.exit(0);
