// `edgeml prune` on a channel folder: the newest releases of each model stay, the role is re-signed
// without the rest, their files (and Mender Artifacts) are deleted unless another channel uses
// them, a tuf-js client still verifies everything, and bad requests change nothing.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LocalDirStorage, loadState, releasesOf } from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { MODELS, edgemlAsync, tempDir, artifactsOf } from './helpers.js';

let keys: string;
let repo: string;
let server: ChannelServer;

const run = (args: string[]) => edgemlAsync([...args, '--repo', repo, '--keys', keys]);
const publish = (model: string, version: string, file = MODELS.digits) => run(['publish', '--model', model, '--channel', 'beta', '--version', version, '--artifacts', artifactsOf(file)]);
const versions = async (channel: 'beta' | 'stable') => releasesOf((await loadState(new LocalDirStorage(repo)))!, channel).map((r) => `${r.model} ${r.version}`);
const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.onnx')).sort() : []);

beforeAll(async () => {
  const base = tempDir('edgeml-prune-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  initKeys(keys);
  for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) expect((await publish('digits', v, v === '1.1.0' ? MODELS.wakeword : MODELS.digits)).status).toBe(0);
  expect((await publish('wake', '0.1.0', MODELS.wakeword)).status).toBe(0);
  expect((await run(['promote', '--channel', 'stable', '--version', '1.0.0', '--model', 'digits'])).status).toBe(0);
  server = await serveChannel(repo);
});
afterAll(() => server.close());

test('keeps the newest releases per model, deletes what no channel lists, and devices still verify', async () => {
  const r = await run(['prune', '--channel', 'beta', '--keep', '2', '--json', join(repo, '..', 'prune.json')]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('beta: kept digits 1.3.0 (release 4), digits 1.2.0 (release 3), wake 0.1.0 (release 5); dropped digits 1.1.0 (release 2), digits 1.0.0 (release 1); deleted 2 files (timestamp v8)\n');
  expect(await versions('beta')).toEqual(['wake 0.1.0', 'digits 1.3.0', 'digits 1.2.0']);
  expect(await versions('stable')).toEqual(['digits 1.0.0']);
  expect(files(join(repo, 'targets/beta/models/digits'))).toEqual([
    expect.stringMatching(/^1\.2\.0\/cpu-fp32\/[0-9a-f]{64}\.cpu-fp32\.onnx$/), expect.stringMatching(/^1\.3\.0\/cpu-fp32\/[0-9a-f]{64}\.cpu-fp32\.onnx$/),
  ]);
  // The dropped versions' folders are gone; stable's copy of 1.0.0 is untouched.
  expect(existsSync(join(repo, 'targets/beta/models/digits/1.0.0'))).toBe(false);
  expect(files(join(repo, 'targets/stable'))).toHaveLength(1);
  expect(JSON.parse(readFileSync(join(repo, '..', 'prune.json'), 'utf8'))).toMatchObject({ status: 'pruned', removed: [expect.stringContaining('/digits/1.0.0/'), expect.stringContaining('/digits/1.1.0/')] });

  const dir = tempDir('edgeml-prune-client-');
  mkdirSync(join(dir, 'meta'));
  copyFileSync(join(repo, '1.root.json'), join(dir, 'meta/root.json'));
  const up = new Updater({ metadataDir: join(dir, 'meta'), metadataBaseUrl: server.url, targetDir: dir, targetBaseUrl: `${server.url}/targets` });
  await up.refresh();
  expect(await up.getTargetInfo('beta/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx')).toBeUndefined();
  const kept = await up.getTargetInfo('beta/models/digits/1.3.0/cpu-fp32/cpu-fp32.onnx');
  expect(readFileSync(await up.downloadTarget(kept!, join(dir, 'm.onnx'))).equals(readFileSync(MODELS.digits))).toBe(true);

  // Again: nothing to do, nothing written.
  const again = await run(['prune', '--channel', 'beta', '--keep', '2']);
  expect(again.stdout).toBe('beta: nothing to prune (digits 1.3.0 (release 4), digits 1.2.0 (release 3), wake 0.1.0 (release 5))\n');
  expect(JSON.parse(readFileSync(join(repo, 'timestamp.json'), 'utf8')).signed.version).toBe(8);
});

test('--model prunes one model only; rollback still has the release kept before the newest', async () => {
  expect((await publish('wake', '0.2.0', MODELS.wakeword)).status).toBe(0);
  expect((await run(['prune', '--channel', 'beta', '--keep', '1', '--model', 'digits'])).status).toBe(0);
  expect(await versions('beta')).toEqual(['wake 0.2.0', 'wake 0.1.0', 'digits 1.3.0']);
  const back = await run(['rollback', '--channel', 'beta', '--model', 'wake']);
  expect(back.status).toBe(0);
  expect(back.stdout).toContain('beta: rolled back to wake 0.1.0');
});

test.each([
  ['--keep 0', ['--keep', '0'], /^edgeml: error: --keep "0": expected a whole number of at least 1$/],
  ['an unknown channel', ['--channel', 'prod'], /^edgeml: error: --channel "prod": unknown channel; use one of canary, beta, stable$/],
  ['a model not on the channel', ['--model', 'nope'], /^edgeml: error: --model nope: no release of it on beta; models there: /],
] as const)('refused with one line, nothing written: %s', async (_name, flags, message) => {
  const before = readFileSync(join(repo, 'timestamp.json'), 'utf8');
  const r = await run(['prune', ...flags]);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.status).toBe(2);
  expect(readFileSync(join(repo, 'timestamp.json'), 'utf8')).toBe(before);
});
