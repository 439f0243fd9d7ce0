// `edgeml agent --serve --dispatch OWNER/REPO --token-file FILE` on real parts: the built agent
// (a child process) installs a release with its signed profile from a channel on 127.0.0.1,
// serves it, and sends the drift trigger itself to the GitHub API stand-in (every request checked
// against GitHub's OpenAPI description). Inverted digits drift: after N windows in a row one
// repository_dispatch, with the payload `edgeml drift --dispatch` sends; a failed one is reported
// and sent after the next poll; more drifted windows, and a restart of the agent, send nothing
// more; a streak broken and started again is a new episode.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readNpy } from '../src/tensors/index.js';
import { DISPATCH_FILE, Dispatcher } from '../src/agent/index.js';
import { DRIFT_DEFAULTS, type TelemetryWindow } from '../src/drift/index.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { CLI, DIGITS, MODELS, artifactsOf, edgeml, tempDir, until } from './helpers.js';

const DATA = join(DIGITS, 'test_inputs.npy');
const pixels = readNpy(DATA).data as unknown as Float32Array;
const row = (i: number) => Array.from(pixels.subarray((i % 540) * 64, (i % 540 + 1) * 64));
const WINDOW = 40;

let base: string;
let repo: string;
let channel: ChannelServer;
let gh: GitHubServer;
let tokenFile: string;
let sha256: string;

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

beforeAll(async () => {
  base = tempDir('edgeml-agent-dispatch-');
  const keys = join(base, 'keys');
  repo = join(base, 'repo');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '1.0.0', '--artifacts', artifactsOf(MODELS.digits), '--model', 'digits', '--data', `pixels=${DATA}`]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  channel = await serveChannel(repo);
  gh = await startGitHubServer();
  tokenFile = join(base, 'token');
  writeFileSync(tokenFile, 'ghs_device_token\n', { mode: 0o600 });
});
afterAll(async () => {
  channel?.close();
  await gh?.close();
});

/** The agent with --dispatch, until stopped; `log()` is what it said on stderr. */
function startAgent(dev: string): { child: ChildProcess; log: () => string; url: Promise<string>; stop: () => Promise<void> } {
  let stderr = '';
  const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', channel.url, '--root', join(repo, '1.root.json'), '--target', 'cpu-fp32',
    '--dir', dev, '--device-id', 'device-1', '--model', 'digits', '--interval', '1s', '--timeout', '20s',
    '--serve', '127.0.0.1:0', '--window', String(WINDOW), '--dispatch', 'acme/digits', '--token-file', tokenFile], { env: { ...process.env, GITHUB_API_URL: gh.url } });
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const log = () => stderr;
  const url = until('the server to listen', () => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1], { said: log }).then((u) => `${u}/v2/models/digits`);
  const stop = async () => {
    if (child.exitCode !== null) return;
    const closed = new Promise((r) => child.once('close', r));
    child.kill('SIGTERM');
    await closed;
  };
  return { child, log, url, stop };
}

/** Until the server answers ready (a model is served): serve.json may still be the last run's. */
async function ready(url: string, log: () => string): Promise<void> {
  const base = url.replace(/\/v2\/models\/.*$/, '');
  for (const end = Date.now() + 120_000; ;) {
    const r = await fetch(`${base}/v2/health/ready`).catch(() => null);
    if (r?.status === 200) return;
    if (Date.now() > end) throw new Error(`the server never became ready; the agent said: ${log().slice(-2000)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** `windows` whole windows of requests, each image through `change`. */
async function send(url: string, windows: number, change: (x: number[]) => number[], from = 0): Promise<void> {
  for (let i = 0; i < windows * WINDOW; i++) {
    const res = await fetch(`${url}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: change(row((from + i) * 7)) }] }) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
}
const inverted = (x: number[]) => x.map((v) => 1 - v);
const same = (x: number[]) => x;

describe('the agent sends the drift trigger itself', () => {
  const dev = () => join(base, 'device');
  const served = () => json(join(dev(), 'serve.json'));

  test('once per episode, retried after a failure, not again after a restart; a new streak is a new episode', async () => {
    let agent = startAgent(dev());
    try {
      const url = await agent.url;
      sha256 = (await until('1.0.0 served', () => served().serving?.version === '1.0.0' && served(), { said: agent.log })).serving.sha256;
      // GitHub refuses the first attempt: it stays pending, said on stderr and in serve.json, and goes out after the next poll.
      gh.faults.push({ path: /\/repos\/acme\/digits\/dispatches$/, status: 403, message: 'Resource not accessible by integration', times: 1 });
      await send(url, 2, inverted);
      // (A window is written just after the answer that filled it: wait for it.)
      await until('the streak at 2', () => served().dispatch.streak?.windows === 2, { said: agent.log });
      expect(served().dispatch).toMatchObject({ repository: 'acme/digits', streak: { sha256, windows: 2 }, pending: [], lastSent: null });
      await send(url, 1, inverted);
      await until('the failed attempt reported', () => /--dispatch acme\/digits: the drift trigger of \S+ is not sent yet \(attempt 1\): .*403/.test(agent.log()), { said: agent.log });
      await until('the trigger sent after a poll', () => gh.dispatches.length === 1 && served().dispatch.pending.length === 0, { said: agent.log });
      expect(agent.log()).toMatch(/dispatched edgeml-drift to acme\/digits \(\S+, 3 drifted windows in a row/);
      const first = gh.dispatches[0];
      expect(first).toMatchObject({ repo: 'acme/digits', event_type: 'edgeml-drift' });
      expect(first.client_payload).toMatchObject({ model: 'digits', version: '1.0.0', sha256, cohort: 'stable', windows: 3, devices: ['device-1'], devicesTotal: 1 });
      expect(Object.keys(first.client_payload!)).toEqual(['model', 'version', 'sha256', 'cohort', 'metric', 'score', 'windows', 'devices', 'devicesTotal', 'at']);
      expect(served().dispatch.lastSent).toMatchObject({ at: first.client_payload!.at });
      // More drifted windows in a row are the same episode.
      await send(url, 2, inverted, 200);
      await until('the streak at 5', () => served().dispatch.streak.windows === 5, { said: agent.log });
      await new Promise((r) => setTimeout(r, 2500)); // two more polls
      expect(gh.dispatches).toHaveLength(1);
      // A restart keeps the streak and the episode: the next drifted window sends nothing.
      await agent.stop();
      agent = startAgent(dev());
      const again = await agent.url;
      await ready(again, agent.log);
      await send(again, 1, inverted, 300);
      await until('the streak at 6', () => served().dispatch.streak.windows === 6, { said: agent.log });
      await new Promise((r) => setTimeout(r, 2500));
      expect(gh.dispatches).toHaveLength(1);
      // A window without drift ends the episode; three drifted ones again are a new one.
      await send(again, 1, same, 400);
      await until('the streak broken', () => served().dispatch.streak.windows === 0, { said: agent.log });
      await send(again, 3, inverted, 500);
      await until('the second episode sent', () => gh.dispatches.length === 2, { said: agent.log });
      expect(gh.dispatches[1].client_payload).toMatchObject({ windows: 3, sha256 });
      expect(gh.dispatches[1].client_payload!.at).not.toBe(first.client_payload!.at);
      expect(gh.violations).toEqual([]);
    } finally {
      await agent.stop();
    }
  });
});

describe('the dispatcher', () => {
  const window = (i: number, drift: boolean): TelemetryWindow => ({
    model: 'digits', sha256: 'a'.repeat(64), device: 'device-2', start: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), end: new Date(Date.UTC(2026, 0, 1, 0, i, 59)).toISOString(),
    requests: 50, counts: {}, profile: 'b'.repeat(64),
    verdict: { judged: true, drift, scores: [{ key: 'outputs.output', psi: drift ? 0.9 : 0.01, jensenShannon: drift ? 0.4 : 0.01, ks: { statistic: 0.5, pValue: drift ? 1e-6 : 0.9 }, drift }] },
  });

  test('GitHub unreachable: the trigger stays pending, is said, survives a restart and goes out when GitHub is back', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const saved = process.env.GITHUB_API_URL;
    const before = gh.dispatches.length;
    const options = { repository: 'acme/digits', tokenFile, dir, drift: DRIFT_DEFAULTS, cohort: 'beta', log: (l: string) => lines.push(l) };
    try {
      // A port nothing listens on (not a fetch "bad port" such as 9).
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      process.env.GITHUB_API_URL = `http://127.0.0.1:${port}`;
      const d = new Dispatcher(options);
      d.window(window(0, false), '1.0.0');
      for (let i = 1; i <= 3; i++) d.window(window(i, true), '1.0.0');
      await d.flush();
      expect(d.status.pending).toHaveLength(1);
      expect(d.status.pending[0]).toMatchObject({ at: window(3, true).end, metric: 'outputs.output', attempts: 1 });
      expect(d.status.pending[0].lastError).toMatch(/--dispatch acme\/digits: GitHub answered \d+ \(connect ECONNREFUSED/);
      expect(lines.join('\n')).toMatch(/the drift trigger of \S+ is not sent yet \(attempt 1\)/);
      // A new process reads the pending trigger back; a drifted window more is the same episode.
      process.env.GITHUB_API_URL = gh.url;
      const again = new Dispatcher(options);
      expect(again.status.pending).toHaveLength(1);
      again.window(window(4, true), '1.0.0');
      await again.flush();
      expect(again.status).toMatchObject({ pending: [], streak: { windows: 4 }, lastSent: { at: window(3, true).end } });
      expect(gh.dispatches.length - before).toBe(1);
      expect(gh.dispatches.at(-1)!.client_payload).toEqual({
        model: 'digits', version: '1.0.0', sha256: 'a'.repeat(64), cohort: 'beta', metric: 'outputs.output', score: 0.9, windows: 3, devices: ['device-2'], devicesTotal: 1, at: window(3, true).end,
      });
      expect(JSON.parse(readFileSync(join(dir, DISPATCH_FILE), 'utf8')).sent).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = saved;
    }
  }, 60_000);
});

describe('agent --dispatch flags', () => {
  test('a bad token file, repository or state: one line naming it, exit 2, before anything starts', () => {
    const dir = tempDir();
    const common = ['agent', '--channel-url', 'http://127.0.0.1:9', '--root', join(repo, '1.root.json'), '--target', 'cpu-fp32', '--dir', join(dir, 'd'), '--device-id', 'x', '--model', 'digits'];
    const open = join(dir, 'open-token');
    writeFileSync(open, 'ghs_x\n');
    chmodSync(open, 0o644);
    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'dispatch.json'), '{"streak": ');
    const serve = ['--serve', '127.0.0.1:0'];
    const cases: Array<[string[], RegExp]> = [
      [['--dispatch', 'acme/digits', '--token-file', tokenFile], /^edgeml: error: --dispatch is for the served model's telemetry: give --serve HOST:PORT too$/],
      [[...serve, '--dispatch', 'acme/digits'], /--dispatch acme\/digits: give --token-file FILE, a file \(mode 600\)/],
      [[...serve, '--token-file', tokenFile], /--token-file is for --dispatch: give --dispatch OWNER\/REPO too$/],
      [[...serve, '--dispatch', 'digits', '--token-file', tokenFile], /--dispatch "digits": give OWNER\/REPO/],
      [[...serve, '--dispatch', 'acme/digits', '--token-file', open], new RegExp(`--token-file ${open}: readable by group or others \\(mode 644\\); run 'chmod 600 ${open}'$`)],
      [[...serve, '--dispatch', 'acme/digits', '--token-file', join(dir, 'none')], /--token-file \S+none: cannot read it \(ENOENT\); give a file \(mode 600\)/],
      [[...serve, '--dispatch', 'acme/digits', '--token-file', dir], /--token-file \S+: not a file; give a file \(mode 600\)/],
      [[...serve, '--dispatch', 'acme/digits', '--token-file', empty], /--token-file \S+empty-token: the file is empty/],
    ];
    for (const [extra, expected] of cases) {
      const r = edgeml([...common, ...extra]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(expected);
    }
    const bad = edgeml([...common.slice(0, 7), '--dir', broken, '--device-id', 'x', '--model', 'digits', ...serve, '--dispatch', 'acme/digits', '--token-file', tokenFile]);
    expect(bad.status, bad.stderr).toBe(2);
    expect(bad.stderr.trim()).toMatch(/dispatch\.json: not the agent's dispatch state \(JSON\); remove it to start over/);
    expect(readFileSync(join(broken, 'dispatch.json'), 'utf8')).toBe('{"streak": ');
  });
});
