// The agent's small decisions: which runtime versions a release's range admits (npm semver ranges),
// and a channel that cannot be reached at all is reported as unreachable, not as a refusal.
import { createServer } from 'node:net';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { MIN_INTERVAL_MS, nextDelay, runtimeFits } from '../src/agent/index.js';
import { LocalDirStorage, collectArtifacts, publishRelease } from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { MODELS, edgeml, tempDir } from './helpers.js';
import { spawn } from 'node:child_process';
import { CLI } from './helpers.js';

test.each([
  ['*', null, true],
  ['', '1.20.0', true],
  ['>=1.20.0', '1.22.1', true],
  ['>=1.20.0', '1.19.9', false],
  ['>=1.20.0 <2.0.0', '1.30.0', true],
  ['>=1.20.0 <2.0.0', '2.0.0', false],
  ['^1.20.0', '1.30.0', true],
  ['^1.20.0', '2.1.0', false],
  ['^1.20.0', '1.21.0-dev.3', true],
  ['>=1.20.0', null, false],
  ['not a range', '1.20.0', false],
] as const)('runtime range %j admits %j: %s', (range, version, fits) => {
  expect(runtimeFits(range, version)).toBe(fits);
});

test('--once against a channel nobody answers at: "unreachable", exit 1, one line', async () => {
  const base = tempDir('edgeml-unreachable-');
  const keys = join(base, 'keys');
  initKeys(keys);
  const art = join(base, 'art');
  mkdirSync(art);
  copyFileSync(MODELS.digits, join(art, 'cpu-fp32.onnx'));
  const repo = join(base, 'repo');
  await publishRelease(new LocalDirStorage(repo), keys, {
    channel: 'stable', model: 'digits', version: '1.0.0', artifacts: await collectArtifacts({ artifactsDir: art }), rollout: { percent: 100, notBefore: null },
  });
  // A port that was just free: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dir = join(base, 'device');
  const r = edgeml(['agent', '--channel-url', `http://127.0.0.1:${port}`, '--root', join(repo, '1.root.json'), '--channel', 'stable',
    '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'd1', '--once', '--timeout', '5s']);
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/ unreachable: no model \| channel unreachable at http:\/\/127\.0\.0\.1:\d+ /);
  expect(r.stdout).not.toMatch(/refused/);
  expect(JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')).lastResult).toBe('unreachable');
});

test('backoff: exponential with jitter, bounded, back to the interval after a success', () => {
  const lo = () => 0;
  const hi = () => 0.999999;
  expect(nextDelay(60_000, 0, hi)).toBe(60_000);
  expect([1, 2, 3, 4].map((f) => nextDelay(60_000, f, lo))).toEqual([60_000, 120_000, 240_000, 480_000]);
  expect(nextDelay(60_000, 3, hi)).toBeLessThanOrEqual(480_000);
  expect(nextDelay(60_000, 3, hi)).toBeGreaterThan(470_000);
  // Bounded: an hour at most (or the interval, when that is longer), however long the channel is gone.
  expect(nextDelay(60_000, 50, hi)).toBeLessThanOrEqual(3_600_000);
  expect(nextDelay(2 * 3_600_000, 50, lo)).toBe(3_600_000);
  expect(MIN_INTERVAL_MS).toBe(1000);
});

test('a dead channel is polled with backoff, not in a spin', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const base = tempDir('edgeml-backoff-');
  const keys = join(base, 'keys');
  initKeys(keys);
  const art = join(base, 'art');
  mkdirSync(art);
  copyFileSync(MODELS.digits, join(art, 'cpu-fp32.onnx'));
  const repo = join(base, 'repo');
  await publishRelease(new LocalDirStorage(repo), keys, {
    channel: 'stable', model: 'digits', version: '1.0.0', artifacts: await collectArtifacts({ artifactsDir: art }), rollout: { percent: 100, notBefore: null },
  });
  const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', `http://127.0.0.1:${port}`, '--root', join(repo, '1.root.json'),
    '--target', 'cpu-fp32', '--dir', join(base, 'device'), '--device-id', 'd1', '--interval', '1s', '--timeout', '2s']);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  // Each poll's line starts with the time it started. Wait for four polls (or a minute).
  const polls = () => out.trim().split('\n').filter(Boolean);
  for (let i = 0; i < 600 && polls().length < 4; i++) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGKILL');
  const lines = polls();
  expect(lines.length).toBeGreaterThanOrEqual(4);
  for (const p of lines) expect(p).toMatch(/ unreachable: no model \| channel unreachable/);
  // The gaps between poll starts grow: after the 1st failure at least 1 s (1-2 s), after the 2nd
  // at least 2 s (2-4 s), after the 3rd at least 4 s (4-8 s). A fixed --interval 1s would poll
  // about every second (the code before the backoff did: this test failed on it).
  const starts = lines.map((l) => Date.parse(l.split(' ')[0]));
  const gaps = starts.slice(1).map((t, i) => t - starts[i]);
  expect(gaps[0]).toBeGreaterThanOrEqual(1000);
  expect(gaps[1]).toBeGreaterThanOrEqual(2000);
  expect(gaps[2]).toBeGreaterThanOrEqual(4000);
  expect(err.trim().split('\n')[0]).toMatch(/^edgeml agent: unreachable: channel unreachable/);
});
