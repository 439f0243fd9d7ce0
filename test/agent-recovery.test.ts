// Recovery after the online keys were abused: someone with timestamp.pem and snapshot.pem serves
// a forged timestamp and snapshot at version 1000. The device accepts them (they are validly
// signed) and, by TUF's rule that versions never go back, refuses every honest timestamp and
// snapshot after that, even after `edgeml refresh`. The documented recovery: `keys rotate` of the
// timestamp and snapshot keys; the new root no longer trusts what the old keys signed, and the
// device's next poll is back on the honest channel.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaFile, Snapshot } from '@tufjs/models';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LocalDirStorage, loadState } from '../src/fleet/index.js';
import { readSigningKey } from '../src/fleet/keys.js';
import { buildTimestamp, expiresAt, metaFileFor, serialize, signWith } from '../src/fleet/metadata.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { CLI, MODELS, artifactsOf, edgeml, tempDir } from './helpers.js';

let base: string;
let keys: string;
let repo: string;
let server: ChannelServer;

function agent(dir: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'), '--channel', 'stable',
      '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'd1', '--once']);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

const status = (dir: string) => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
const run = (args: string[]) => {
  const r = edgeml(args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
};

beforeAll(async () => {
  base = tempDir('edgeml-recovery-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  run(['keys', 'init', '--out', keys]);
  run(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '1.0.0', '--model', 'digits', '--artifacts', artifactsOf(MODELS.digits)]);
  server = await serveChannel(repo);
});
afterAll(() => server.close());

test('forged timestamp and snapshot (abused online keys): refresh does not help, rotating both keys does', async () => {
  const dev = join(base, 'device');
  expect((await agent(dev)).status).toBe(0);
  // The attacker signs with the real online keys: versions far ahead, the channel role at a version that does not exist.
  const state = (await loadState(new LocalDirStorage(repo)))!;
  const now = new Date();
  const meta = Object.fromEntries(Object.entries(state.snapshot.signed.meta).map(([k, v]) => [k, k === 'stable.json' ? new MetaFile({ version: 1000 }) : v]));
  const snap = serialize(signWith(new Snapshot({ version: 1000, specVersion: '1.0.31', expires: expiresAt(now, 86_400_000), meta }), [readSigningKey(keys, 'snapshot.pem', 'snapshot')]));
  const ts = serialize(signWith(buildTimestamp(1000, now, metaFileFor(1000, snap)), [readSigningKey(keys, 'timestamp.pem', 'timestamp')]));
  server.hook = (p, _req, res) => {
    if (p === 'timestamp.json') res.writeHead(200).end(ts);
    else if (p === '1000.snapshot.json') res.writeHead(200).end(snap);
    else return false;
    return true;
  };
  const attacked = await agent(dev);
  server.hook = null;
  expect(attacked.status).toBe(1);
  // Honest again, but the device holds version 1000: every honest poll is a "rollback".
  const honest = await agent(dev);
  expect(honest.status).toBe(1);
  expect(status(dev).lastError).toMatch(/version/i);
  run(['refresh', '--repo', repo, '--keys', keys]);
  expect((await agent(dev)).status).toBe(1);
  // The documented recovery.
  run(['keys', 'rotate', '--repo', repo, '--keys', keys, '--role', 'timestamp']);
  run(['keys', 'rotate', '--repo', repo, '--keys', keys, '--role', 'snapshot']);
  const back = await agent(dev);
  expect(back.status).toBe(0);
  expect(status(dev)).toMatchObject({ lastResult: 'up-to-date', current: { version: '1.0.0' } });
  run(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '1.1.0', '--model', 'digits', '--artifacts', artifactsOf(MODELS.digits)]);
  expect((await agent(dev)).status).toBe(0);
  expect(status(dev)).toMatchObject({ lastResult: 'installed', current: { version: '1.1.0' } });
});
