// npm run bench:serve: what serving costs on the inference path. A ~5 ms model (the transformer
// encoder of benchmark/make-encoder.py, int64 tokens in, ten scores out: a small body, so the
// figure is the server's cost and not JSON's) is run three ways, interleaved in rounds so the
// same disturbance hits every arm:
//   in-process  session.run in this process, as a user's own code would, with the server's session
//               options (src/serve SESSION_OPTIONS: ONNX Runtime's intra-op threads do not spin),
//               so the ratio is what serving adds; 'in-process (ORT defaults)' is the same run
//               with ONNX Runtime's default options (spinning threads), for comparison;
//   served      the OIP server (src/serve, as `edgeml serve` runs it) and a keep-alive HTTP client
//               on 127.0.0.1, both in this process (EDGEML_BENCH_SERVER=child runs `edgeml serve`
//               in a child process instead: on a loaded machine its wake-ups dominate);
//   served+stats the same with --reference and --telemetry: every request also fills the
//               profile's histograms and the latency window.
// Prints the p50 of each arm and the ratios side by side, with the load average, and the CPU time
// per request from /proc (Linux): of the main thread, where the HTTP client, the server and the
// statistics run and ONNX Runtime runs its share of each session.run, and of all threads, ONNX
// Runtime's pool included (its threads spin while they wait for work, so their CPU grows with the
// gaps between runs). A loaded machine stretches wall time far more than the CPU a request takes.
// With EDGEML_BENCH_SERVER=child the server's CPU is read from its process. Run it under
// `nice -n -20` on a shared machine.
// Goals (issue #19): served/in-process <= 1.10, stats <= 1.02 (wall p50).
// usage: node benchmark/serve.mjs [ROUNDS=30] [PER_ROUND=20]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/cli/index.js');
const rounds = Number(process.argv[2] ?? 30);
const perRound = Number(process.argv[3] ?? 20);
// d_model layers heads d_ff of the encoder (EDGEML_BENCH_ENCODER): about 5 ms a run on a quiet 2-core x86 box
// (4.4 ms on the 2-core Xeon of benchmark/RESULTS.md; '192 3 4 768' is 1 ms there).
const SHAPE = process.env.EDGEML_BENCH_ENCODER ?? '384 4 6 1536';
const SEQ = 32;
const VOCAB = 1000;

const dir = mkdtempSync(join(tmpdir(), 'edgeml-bench-serve-'));
try {
  const made = spawnSync('/usr/bin/python3', [join(ROOT, 'benchmark/make-encoder.py'), dir, ...SHAPE.split(' '), String(SEQ), String(VOCAB), 'encoder'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`make-encoder.py failed (python3-onnx installed?): ${made.stderr}`);
  const model = join(dir, 'encoder.onnx');

  // Reference rows for the profile: seeded tokens, as an int64 .npy.
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed);
  const rows = 200;
  const tokens = BigInt64Array.from({ length: rows * SEQ }, () => BigInt(next() % VOCAB));
  writeNpy(join(dir, 'tokens.npy'), tokens, [rows, SEQ]);
  const session0 = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  const input = session0.inputNames[0];
  await session0.release();
  run(['profile', '--model', model, '--data', `${input}=${join(dir, 'tokens.npy')}`, '--out', join(dir, 'profile.json')]);

  const child = process.env.EDGEML_BENCH_SERVER === 'child';
  const plain = child ? await serve(['serve', '--model', model, '--listen', '127.0.0.1:0']) : await serveHere(model, null, null);
  const stats = child
    ? await serve(['serve', '--model', model, '--listen', '127.0.0.1:0', '--reference', join(dir, 'profile.json'), '--telemetry', join(dir, 'telemetry'), '--window', '100'])
    : await serveHere(model, join(dir, 'profile.json'), join(dir, 'telemetry'));
  const { SESSION_OPTIONS } = await import('../build/src/serve/index.js');
  const session = await ort.InferenceSession.create(model, SESSION_OPTIONS);
  const spinning = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  const sample = (i) => Array.from(tokens.subarray((i % rows) * SEQ, (i % rows + 1) * SEQ), Number);
  const arms = {
    'in-process': (i) => runHere(session, i),
    'in-process (ORT defaults)': (i) => runHere(spinning, i),
    served: (i) => post(plain.url, i),
    'served+stats': (i) => post(stats.url, i),
  };
  async function runHere(s, i) {
    const feeds = { [input]: new ort.Tensor('int64', BigInt64Array.from(sample(i), BigInt), [1, SEQ]) };
    const t0 = performance.now();
    await s.run(feeds);
    return performance.now() - t0;
  }
  function post(url, i) {
    const body = JSON.stringify({ inputs: [{ name: input, shape: [1, SEQ], datatype: 'INT64', data: sample(i) }] });
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(`${url}/infer`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('socket', (sock) => sock.setNoDelay(true)); // no Nagle wait on a keep-alive socket
      req.on('error', reject);
      req.end(body);
    });
  }

  const times = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
  // CPU per arm, in clock ticks: [this main thread, this process, the server's main thread, the server process].
  const cpu = Object.fromEntries(Object.keys(arms).map((k) => [k, [0, 0, 0, 0]]));
  const serverOf = { served: plain, 'served+stats': stats };
  const ticksNow = (name) => {
    const srv = child ? serverOf[name]?.pid : undefined;
    return [ticksOf(`/proc/self/task/${process.pid}/stat`), ticksOf('/proc/self/stat'), srv ? ticksOf(`/proc/${srv}/task/${srv}/stat`) : 0, srv ? ticksOf(`/proc/${srv}/stat`) : 0];
  };
  for (const [name, f] of Object.entries(arms)) for (let i = 0; i < 20; i++) await f(i); // warm-up
  const load0 = loadavg();
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    // A different arm first each round: no arm always follows the same one.
    const order = Object.keys(arms);
    for (let k = 0; k < r % order.length; k++) order.push(order.shift());
    for (const name of order) {
      const c0 = ticksNow(name);
      for (let i = 0; i < perRound; i++) times[name].push(await arms[name](n++));
      ticksNow(name).forEach((t, k) => (cpu[name][k] += t - c0[k]));
    }
  }
  const load1 = loadavg();
  const p50 = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s[Math.floor(s.length / 2)];
  };
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, p50(v)]));
  const msPerTick = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
  const perRequest = (k) => Object.fromEntries(Object.entries(cpu).map(([name, t]) => [name, Number(((t[k] * msPerTick) / (rounds * perRound)).toFixed(3))]));
  const main = perRequest(0);
  const all = perRequest(1);
  const serverMain = perRequest(2);
  const serverAll = perRequest(3);
  // Served CPU is the client's and the server's: with the server in a child, both processes.
  const servedMain = (name) => main[name] + (child ? serverMain[name] : 0);
  const servedAll = (name) => all[name] + (child ? serverAll[name] : 0);
  const ratio = (a, b) => Number((a / b).toFixed(3));
  const out = {
    model: `make-encoder.py ${SHAPE} ${SEQ} ${VOCAB} (int64 [1,${SEQ}] in, [1,10] out)`, rounds, perRound, requestsPerArm: rounds * perRound,
    p50Ms: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number(v.toFixed(3))])),
    ratios: { 'served / in-process': Number((m.served / m['in-process']).toFixed(3)), 'served+stats / served': Number((m['served+stats'] / m.served).toFixed(3)) },
    goals: { 'served / in-process': '<= 1.10', 'served+stats / served': '<= 1.02' },
    cpuMsPerRequest: {
      'main thread': main,
      'all threads': all,
      ...(child ? { 'server main thread': serverMain, 'server, all threads': serverAll } : {}),
    },
    cpuRatios: {
      'served / in-process (main thread)': ratio(servedMain('served'), main['in-process']),
      'served / in-process (all threads)': ratio(servedAll('served'), all['in-process']),
      'served+stats / served (main thread)': ratio(servedMain('served+stats'), servedMain('served')),
    },
    cpuAddedMsPerRequest: {
      'serving (main thread)': Number((servedMain('served') - main['in-process']).toFixed(3)),
      'statistics (main thread)': Number((servedMain('served+stats') - servedMain('served')).toFixed(3)),
    },
    loadAverage: { before: load0.map((x) => Number(x.toFixed(2))), after: load1.map((x) => Number(x.toFixed(2))) },
    server: child ? 'child process (edgeml serve)' : 'this process (src/serve)',
    machine: `${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}`,
  };
  agent.destroy();
  await session.release();
  await spinning.release();
  await plain.stop();
  await stats.stop();
  // session.run inside the server, as the statistics server timed it (the median of its windows'
  // p50s): served p50 minus this is the HTTP and JSON round trip; this minus in-process is ONNX
  // Runtime running slower between HTTP requests than back to back.
  const windows = readFileSync(join(dir, 'telemetry', 'encoder.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  out.serverRunP50Ms = Number(p50(windows.map((w) => w.latencyMs.p50)).toFixed(3));
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function run(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`edgeml ${args[0]} failed: ${r.stderr}`);
}

async function serveHere(model, profileFile, telemetryDir) {
  const { serveModel } = await import('../build/src/serve/index.js');
  const { parseProfile } = await import('../build/src/drift/index.js');
  const profile = profileFile ? parseProfile(readFileSync(profileFile, 'utf8'), profileFile) : undefined;
  const server = await serveModel({ model, listen: '127.0.0.1:0', profile, telemetryDir: telemetryDir ?? undefined, window: 100 });
  return { url: `${server.url}/v2/models/${server.name}`, stop: () => server.close() };
}

function serve(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', (d) => resolve({
      url: String(d).trim(),
      pid: child.pid,
      stop: () => new Promise((r) => {
        child.once('close', r);
        child.kill('SIGTERM');
      }),
    }));
    child.once('close', (code) => reject(new Error(`edgeml serve exited ${code}: ${err}`)));
  });
}

/** utime + stime of a /proc stat file, in clock ticks (the fields after the command's ')': state is the 3rd of proc(5), utime the 14th). */
function ticksOf(file) {
  const stat = readFileSync(file, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function writeNpy(file, data, shape) {
  let header = `{'descr': '<i8', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
}
