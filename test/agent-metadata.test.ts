// The device's cached TUF metadata is replaced by rename, never rewritten in place: a kill during
// the write leaves the old file or the new one. Seen from outside: a second name (hard link) of
// the cached timestamp.json keeps the old bytes after a poll that fetched a new timestamp, which
// an in-place write would have changed.
import { spawn } from 'node:child_process';
import { linkSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { CLI, MODELS, artifactsOf, edgeml, tempDir } from './helpers.js';

let base: string;
let repo: string;
let keys: string;
let server: ChannelServer;

const agent = (dir: string) => new Promise<number | null>((resolve) => {
  const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'), '--channel', 'stable',
    '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'd1', '--once'], { stdio: 'ignore' });
  child.on('close', resolve);
});

beforeAll(async () => {
  base = tempDir('edgeml-agent-metadata-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  expect(edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', '1.0.0', '--model', 'digits', '--artifacts', artifactsOf(MODELS.digits)]).status).toBe(0);
  server = await serveChannel(repo);
});
afterAll(() => server.close());

test('cached metadata is written by rename (old or new, never torn), and leftover temp files are cleared', async () => {
  const dev = join(base, 'device');
  expect(await agent(dev)).toBe(0);
  const cached = join(dev, 'metadata', 'timestamp.json');
  const before = readFileSync(cached);
  const second = join(base, 'second-name.json');
  linkSync(cached, second);
  expect(edgeml(['refresh', '--repo', repo, '--keys', keys]).status).toBe(0);
  writeFileSync(join(dev, 'metadata', 'snapshot.json.tmp'), '{"torn'); // what a kill mid-write leaves
  expect(await agent(dev)).toBe(0);
  expect(readFileSync(cached).equals(readFileSync(join(repo, 'timestamp.json')))).toBe(true);
  expect(readFileSync(second).equals(before)).toBe(true);
  expect(readdirSync(join(dev, 'metadata')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});
