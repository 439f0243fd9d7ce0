// Acceptance by evidence from CI, on real parts: `publish` signs into the release what the
// artifact answered in CI; the real agent (the built bundle, a child process) refuses a model
// that answers NaN, with another output shape, or disagreeing with CI, keeps the model it has,
// stays on its model when another is published, and installs over a slow, stalling or cut link
// by resuming with a Range request. Broken models are made with python3-onnx.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { LocalDirStorage, buildEvidence, collectArtifacts, publishRelease } from '../src/fleet/index.js';
import { HAVE_ONNX, brokenDigits } from './broken-models.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { CLI, MODELS, artifactsOf, edgeml, tempDir } from './helpers.js';

let base: string;
let keys: string;
let repo: string;
let server: ChannelServer;

interface Run { status: number | null; stdout: string; stderr: string; ms: number }

function agent(dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'),
      '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'device-1', '--once', ...extra], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - t0 }));
  });
}

const status = (dir: string) => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));

function publish(channel: string, version: string, model: string, name = 'digits') {
  const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', channel, '--version', version, '--artifacts', artifactsOf(model), '--model', name]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

/** Publishes `file` carrying the evidence of `evidenceModel`: what a device sees when its runtime answers unlike CI's. */
async function publishWithEvidence(channel: 'stable' | 'beta' | 'canary', version: string, file: string, evidenceModel: string) {
  const art = await collectArtifacts({ artifactsDir: artifactsOf(file) });
  const e = await buildEvidence({ file: evidenceModel, name: art[0].file, sha256: art[0].sha256, data: {}, given: (n, f) => `${n}=${f}` });
  art[0].evidence = { bytes: e.bytes, ref: e.ref };
  await publishRelease(new LocalDirStorage(repo), keys, { channel, model: 'digits', version, artifacts: art, rollout: { percent: 100, notBefore: null } });
}

const channelRole = (channel: string) => {
  const v = Math.max(...readdirSync(repo).map((f) => new RegExp(`^(\\d+)\\.${channel}\\.json$`).exec(f)).filter(Boolean).map((m) => Number(m![1])));
  return JSON.parse(readFileSync(join(repo, `${v}.${channel}.json`), 'utf8')).signed.targets;
};

beforeAll(async () => {
  base = tempDir('edgeml-accept-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  publish('stable', '1.0.0', MODELS.digits);
  publish('beta', '1.0.0', MODELS.digits);
  server = await serveChannel(repo);
});
afterAll(() => server.close());

describe('acceptance by evidence', () => {
  const dev = () => join(base, 'device');

  test('the release carries signed evidence of what CI saw; the device reproduces it and installs', async () => {
    const entry = channelRole('stable')['stable/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx'];
    const ref = entry.custom.edgeml.evidence;
    expect(ref.path).toMatch(/^targets\/evidence\/[0-9a-f]{64}\.json$/);
    const bytes = readFileSync(join(repo, ref.path));
    expect(bytes.length).toBe(ref.length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ref.sha256);
    const doc = JSON.parse(bytes.toString('utf8'));
    expect(doc).toMatchObject({ schema: 'edgeml-evidence/1', source: 'random', floor: { cosine: 0.99, top1Agreement: 0.95 }, model: { sha256: entry.hashes.sha256 } });
    expect(doc.samples).toHaveLength(4);
    expect(doc.samples[0].outputs.output).toMatchObject({ dtype: 'float32', dims: [1, 10] });
    const r = await agent(dev());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'installed', state: 'success', model: 'digits', current: { version: '1.0.0' }, download: null });
  });

  test('a second model published on the channel with a higher release does not replace the device\'s model', async () => {
    publish('stable', '9.0.0', MODELS.wakeword, 'wakeword');
    const r = await agent(dev());
    expect(r.status).toBe(0);
    expect(status(dev())).toMatchObject({ lastResult: 'up-to-date', model: 'digits', current: { model: 'digits', version: '1.0.0' } });
  });

  describe.skipIf(!HAVE_ONNX)('broken models', () => {
    test('publish refuses a model that answers NaN, in one line, exit 2', () => {
      const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '1.9.0', '--artifacts', artifactsOf(brokenDigits('nan')), '--model', 'digits']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/cpu-fp32\.onnx: output 'output' is NaN at index 0 of sample 0; no device should get this model/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });

    test('agent-health on a NaN model says not ok', () => {
      const r = edgeml(['agent-health', brokenDigits('nan')]);
      expect(r.status).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/output 'output' is NaN/) });
    });

    test.each([
      ['2.0.0', 'nan', /output 'output' is NaN at index 0 of sample 0/],
      ['2.1.0', 'shape', /output 'output' has shape \[1, 5\] on sample 0, CI's was \[1, 10\]/],
      ['2.2.0', 'negated', /outputs disagree with CI's on the release's inputs: cosine -1\.0+ < floor 0\.99/],
    ] as const)('release %s (%s) is refused before the switch: the old model kept, the reason in status.json and on stderr', async (version, kind, reason) => {
      await publishWithEvidence('stable', version, brokenDigits(kind), MODELS.digits);
      const r = await agent(dev());
      expect(r.status).toBe(1);
      const s = status(dev());
      expect(s).toMatchObject({ lastResult: 'health-check-failed', state: 'failure', current: { version: '1.0.0' }, rejected: { version } });
      expect(s.lastError).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')} \\(release \\d+\\) failed its health check, kept 1\\.0\\.0: `));
      expect(s.lastError).toMatch(reason);
      expect(r.stderr).toMatch(reason);
      expect(readFileSync(join(dev(), 'current', 'cpu-fp32.onnx')).equals(readFileSync(MODELS.digits))).toBe(true);
    });
  });
});

describe('slow, stalling and cut links (channel beta)', () => {
  afterEach(() => {
    server.link = null;
  });
  const fresh = (name: string) => join(base, `device-${name}`);
  const beta = ['--channel', 'beta'];
  const onTargets = (p: string) => p.startsWith('targets/beta/');

  test('a 70 KB model at 10 KB/s installs with --timeout 5s: the timeout is time without progress', async () => {
    server.link = { applies: onTargets, bytesPerSec: 10_000 };
    try {
      const r = await agent(fresh('slow'), [...beta, '--timeout', '5s']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.ms).toBeGreaterThan(5000); // it did take longer than the timeout
      expect(status(fresh('slow'))).toMatchObject({ lastResult: 'installed', current: { version: '1.0.0' } });
    } finally {
      server.link = null;
    }
  });

  test('a stalled download fails after --timeout without data and records its progress', async () => {
    server.link = { applies: onTargets, stallAfter: 20_000 };
    try {
      const r = await agent(fresh('stall'), [...beta, '--timeout', '2s']);
      expect(r.status).toBe(1);
      const s = status(fresh('stall'));
      expect(s.lastError).toMatch(/download stalled: no data for 2 s at byte 20000 of 69572; it resumes from there on the next poll/);
      expect(s).toMatchObject({ lastResult: 'error', current: null, download: { version: '1.0.0', bytes: 20000, total: 69572 } });
    } finally {
      server.link = null;
    }
  });

  test('a cut download resumes on the next poll with a Range request, and installs', async () => {
    const dir = fresh('cut');
    server.link = { applies: onTargets, cutAfter: 30_000 };
    const first = await agent(dir, beta);
    server.link = null;
    expect(first.status).toBe(1);
    const got = status(dir).download.bytes;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(69572);
    expect(status(dir).lastError).toMatch(/resumes from there on the next poll/);
    server.ranges.length = 0;
    const second = await agent(dir, beta);
    expect(second.status).toBe(0);
    expect(server.ranges).toEqual([expect.stringMatching(new RegExp(`^targets/beta/.*\\.cpu-fp32\\.onnx bytes=${got}-$`))]);
    expect(status(dir)).toMatchObject({ lastResult: 'installed', download: null });
    expect(readFileSync(join(dir, 'current', 'cpu-fp32.onnx')).equals(readFileSync(MODELS.digits))).toBe(true);
    expect(readdirSync(join(dir, 'downloads'))).toEqual([]);
  });

  test('a partial file that is not the signed bytes is refused by hash and deleted; the next poll starts over', async () => {
    const dir = fresh('garbage');
    server.link = { applies: onTargets, cutAfter: 10_000 };
    expect((await agent(dir, beta)).status).toBe(1);
    server.link = null;
    const [part] = readdirSync(join(dir, 'downloads'));
    writeFileSync(join(dir, 'downloads', part), Buffer.alloc(69572, 7)); // full length, wrong bytes
    const bad = await agent(dir, beta);
    expect(bad.status).toBe(1);
    expect(status(dir).lastError).toMatch(/hash mismatch/);
    expect(existsSync(join(dir, 'current'))).toBe(false);
    expect(readdirSync(join(dir, 'downloads'))).toEqual([]);
    expect((await agent(dir, beta)).status).toBe(0);
  });

  test('a server without range support answers 200: the download starts over and installs', async () => {
    const dir = fresh('norange');
    server.link = { applies: onTargets, cutAfter: 10_000 };
    expect((await agent(dir, beta)).status).toBe(1);
    const [part] = readdirSync(join(dir, 'downloads'));
    truncateSync(join(dir, 'downloads', part), 5000);
    server.link = { applies: onTargets, noRanges: true };
    const r = await agent(dir, beta);
    server.link = null;
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'current', 'cpu-fp32.onnx')).equals(readFileSync(MODELS.digits))).toBe(true);
  });
});

describe('bad arguments: one line, exit 2, nothing copied', () => {
  test('agent --dir naming a file', () => {
    const file = join(tempDir(), 'state');
    writeFileSync(file, 'x');
    const r = edgeml(['agent', '--channel-url', 'http://127.0.0.1:9', '--root', join(repo, '1.root.json'), '--target', 'cpu-fp32', '--dir', file, '--device-id', 'd', '--once']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--dir .*state: is a file, not a folder/)]);
  });

  test('keys init --out naming a file', () => {
    const file = join(tempDir(), 'keys');
    writeFileSync(file, 'x');
    const r = edgeml(['keys', 'init', '--out', file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--out .*keys: is a file, not a folder/)]);
  });

  test.each([
    ['not JSON', 'hello'],
    ['JSON that is no metadata', '{"a":1}'],
    ['a timestamp, not a root', 'timestamp'],
  ])('agent --root given %s: nothing copied into metadata/', (_what, content) => {
    const dir = join(tempDir(), 'device');
    const root = join(tempDir(), 'root.json');
    writeFileSync(root, content === 'timestamp' ? readFileSync(join(repo, 'timestamp.json')) : content);
    const r = edgeml(['agent', '--channel-url', server.url, '--root', root, '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'd', '--once']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^edgeml: error: --root .*root\.json: not (JSON|a TUF root).*ship the channel's 1\.root\.json/)]);
    expect(existsSync(join(dir, 'metadata', 'root.json'))).toBe(false);
  });

  test('--interval below the minimum', () => {
    const r = edgeml(['agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'), '--target', 'cpu-fp32', '--dir', join(tempDir(), 'd'), '--device-id', 'd', '--interval', '0s']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--interval 0s: below the minimum of 1s/)]);
  });
});

test('kill -9 during the health check: the check process dies with the agent; temp files stay under --dir', async () => {
  const dir = join(base, 'device-kill');
  const tmp = tempDir('edgeml-systmp-');
  mkdirSync(dir);
  const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'), '--channel', 'beta',
    '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'd', '--once'], { stdio: 'ignore', env: { ...process.env, TMPDIR: tmp } });
  const closed = new Promise((r) => child.on('close', r));
  const healthPid = async (): Promise<number> => {
    for (let i = 0; i < 1500; i++) {
      for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
        try {
          const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
          if (cmd.includes('agent-health') && cmd.includes(dir)) return Number(p);
        } catch {
          // gone already
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no health check process appeared');
  };
  const pid = await healthPid();
  child.kill('SIGKILL');
  await closed;
  let alive = true;
  // Up to 15 s: the check may be inside a synchronous model load, on a loaded machine, when its stdin closes.
  for (let i = 0; i < 300 && alive; i++) {
    await new Promise((r) => setTimeout(r, 50));
    alive = existsSync(`/proc/${pid}`) && !/^\S+ \S+ Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, 'x'));
  }
  expect(alive).toBe(false);
  expect(readdirSync(tmp)).toEqual([]);
  // The next start clears the agent's own temp folder and installs.
  writeFileSync(join(dir, 'tmp', 'left-by-a-kill'), 'x');
  const r = await agent(dir, ['--channel', 'beta']);
  expect(r.status).toBe(0);
  // What ONNX Runtime's process leaves in its temp folder (.ses, mat-debug-<pid>.log) is under --dir; the kill's leftovers are gone.
  expect(readdirSync(join(dir, 'tmp'))).not.toContain('left-by-a-kill');
});

test('status.json never names a slot that is gone (what a kill inside the deletion of the previous slot left)', async () => {
  const dir = join(base, 'device-slots');
  expect((await agent(dir, ['--channel', 'beta'])).status).toBe(0);
  const s = status(dir);
  // A kill between deleting slot b and writing status.json: status names b, b is gone.
  writeFileSync(join(dir, 'status.json'), JSON.stringify({ ...s, previous: { ...s.current, slot: 'b', version: '0.9.0' } }));
  expect((await agent(dir, ['--channel', 'beta'])).status).toBe(0);
  expect(status(dir).previous).toBeNull();
});
