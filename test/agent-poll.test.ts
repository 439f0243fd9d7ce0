// The agent's small decisions: which runtime versions a release's range admits (npm semver ranges),
// and a channel that cannot be reached at all is reported as unreachable, not as a refusal.
import { createServer } from 'node:net';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runtimeFits } from '../src/agent/index.js';
import { LocalDirStorage, collectArtifacts, publishRelease } from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { MODELS, edgeml, tempDir } from './helpers.js';

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
