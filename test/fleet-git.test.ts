// The channel on a git branch (what GitHub Pages serves): a real bare repository as the remote,
// publishers in separate clones, concurrent publishes that both land, a rejected push redone on
// the new tip, and a plain tuf-js client verifying a checkout of the branch.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { collectArtifacts, loadState, onStore, parseStore, publishRelease, releasesOf, LocalDirStorage } from '../src/fleet/index.js';
import { initKeys } from '../src/fleet/keys.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { MODELS, edgeml, edgemlAsync, runActionBundle, tempDir, artifactsOf } from './helpers.js';

const edgemlIn = (cwd: string, args: string[]) => edgemlAsync(args, {}, cwd);

let base: string;
let keys: string;
let remote: string;
const servers: ChannelServer[] = [];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function clone(name: string): string {
  const path = join(base, name);
  git(base, 'clone', '--quiet', remote, path);
  git(path, 'config', 'user.email', `${name}@example.com`);
  git(path, 'config', 'user.name', name);
  return path;
}


/** A checkout of the branch tip as it is on the remote. */
function branchTree(branch = 'gh-pages'): string {
  const dir = tempDir('edgeml-git-tree-');
  git(base, 'clone', '--quiet', '--branch', branch, remote, dir);
  return dir;
}

beforeAll(() => {
  base = tempDir('edgeml-git-');
  keys = join(base, 'keys');
  initKeys(keys);
  remote = join(base, 'remote.git');
  git(base, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  // The project's own code on main, as in a workflow's checkout; gh-pages does not exist yet.
  const seed = clone('seed');
  writeFileSync(join(seed, 'README.md'), 'project\n');
  git(seed, 'add', 'README.md');
  git(seed, 'commit', '--quiet', '-m', 'project');
  git(seed, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

test('two publishers in separate clones, starting on an empty remote, both land on the branch', async () => {
  const a = clone('a');
  const b = clone('b');
  const common = ['--store', 'git:gh-pages', '--keys', keys, '--model', 'digits'];
  const [ra, rb] = await Promise.all([
    edgemlIn(a, ['publish', ...common, '--channel', 'beta', '--version', '1.0.0', '--artifacts', artifactsOf(MODELS.digits)]),
    edgemlIn(b, ['publish', ...common, '--channel', 'canary', '--version', '1.1.0', '--artifacts', artifactsOf(MODELS.wakeword)]),
  ]);
  // A lost race shows as 'attempt 1 ... failed ...; retrying' lines, never as an error.
  for (const line of (ra.stderr + rb.stderr).split('\n').filter(Boolean)) expect(line).toMatch(/^attempt \d to update gh-pages failed .*; retrying$/);
  expect([ra.status, rb.status]).toEqual([0, 0]);
  const [rc, rd] = await Promise.all([
    edgemlIn(a, ['publish', ...common, '--channel', 'canary', '--version', '1.2.0', '--artifacts', artifactsOf(MODELS.ocrCls)]),
    edgemlIn(b, ['publish', ...common, '--channel', 'canary', '--version', '1.3.0', '--artifacts', artifactsOf(MODELS.vadV5)]),
  ]);
  expect([rc.status, rd.status]).toEqual([0, 0]);
  const tree = branchTree();
  const state = (await loadState(new LocalDirStorage(tree)))!; // every signature verifies
  expect(releasesOf(state, 'beta').map((r) => r.version)).toEqual(['1.0.0']);
  expect(releasesOf(state, 'canary').map((r) => r.version).sort()).toEqual(['1.1.0', '1.2.0', '1.3.0']);
  expect(new Set(releasesOf(state, 'canary').map((r) => r.release))).toEqual(new Set([1, 2, 3]));
  expect(existsSync(join(tree, '.nojekyll'))).toBe(true);
  // Four publishes, four commits, one line of history: nothing was overwritten.
  expect(git(tree, 'rev-list', '--count', 'HEAD')).toBe('4');
  expect(git(tree, 'rev-list', '--merges', '--count', 'HEAD')).toBe('0');
  expect(git(tree, 'status', '--porcelain')).toBe('');
  // The same release again is a no-op: no new commit.
  const again = await edgemlIn(a, ['publish', ...common, '--channel', 'beta', '--version', '1.0.0', '--artifacts', artifactsOf(MODELS.digits)]);
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('already published (no change)');
  expect(git(branchTree(), 'rev-list', '--count', 'HEAD')).toBe('4');

  // A plain tuf-js client reads the branch as Pages would serve it.
  const server = await serveChannel(tree);
  servers.push(server);
  const dir = tempDir('edgeml-git-client-');
  mkdirSync(join(dir, 'meta'));
  copyFileSync(join(tree, '1.root.json'), join(dir, 'meta/root.json'));
  const updater = new Updater({ metadataDir: join(dir, 'meta'), metadataBaseUrl: server.url, targetDir: dir, targetBaseUrl: `${server.url}/targets` });
  await updater.refresh();
  const info = await updater.getTargetInfo('beta/models/digits/1.0.0/cpu-fp32/cpu-fp32.onnx');
  expect(readFileSync(await updater.downloadTarget(info!, join(dir, 'm.onnx'))).equals(readFileSync(MODELS.digits))).toBe(true);
});

test('a push rejected because another publisher pushed first is redone on the new tip', async () => {
  const a = clone('c');
  const b = clone('d');
  const spec = (checkout: string) => ({ ...parseStore('git:gh-pages', undefined), checkout } as const);
  const art = await collectArtifacts({ artifactsDir: artifactsOf(MODELS.digits) });
  const other = await collectArtifacts({ artifactsDir: artifactsOf(MODELS.ocrCls) });
  const req = (version: string, arts: typeof art) => ({ channel: 'stable' as const, model: 'digits', version, artifacts: arts, rollout: { percent: 100, notBefore: null } });
  let runs = 0;
  const r = await onStore(spec(a), async (storage) => {
    runs++;
    const mine = await publishRelease(storage, keys, req('2.0.0', art));
    // While A is between its publish and its push, B publishes and pushes.
    if (runs === 1) await onStore(spec(b), (s) => publishRelease(s, keys, req('2.1.0', other)), () => 'b publishes 2.1.0');
    return mine;
  }, (x) => `a publishes ${x.version}`);
  expect(runs).toBe(2);
  expect(r.release).toBe(releasesOf((await loadState(new LocalDirStorage(branchTree())))!, 'stable').find((x) => x.version === '2.0.0')!.release);
  const state = (await loadState(new LocalDirStorage(branchTree())))!;
  expect(releasesOf(state, 'stable').map((x) => `${x.version}#${x.release}`)).toEqual(['2.0.0#2', '2.1.0#1']);
});

test('inside Actions the publish action commits to gh-pages of the checkout by default', async () => {
  const work = clone('runner');
  const r = runActionBundle('publish', { 'keys-dir': keys, channel: 'stable', model: 'digits', version: '3.0.0', artifacts: artifactsOf(MODELS.digits) }, { GITHUB_REF: 'refs/tags/v3.0.0' }, work);
  expect(r.stdout).not.toMatch(/::error/);
  expect(r.outputs.status).toBe('published');
  const tree = branchTree();
  expect(git(tree, 'log', '-1', '--format=%s')).toMatch(/^edgeml published: digits 3\.0\.0 on stable/);
  const state = (await loadState(new LocalDirStorage(tree)))!;
  expect(releasesOf(state, 'stable').map((x) => x.version)).toContain('3.0.0');
});

test('bad --store values and a folder that is not a git checkout: exit 2, one line', async () => {
  for (const [store, re] of [['git:', /not a branch name; use git:BRANCH/], ['s3:bucket', /unknown store; use dir/]] as const) {
    const r = edgeml(['publish', '--store', store, '--keys', keys, '--version', '1.0.0', '--artifacts', base]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(re);
  }
  const r = edgeml(['refresh', '--store', 'git:gh-pages', '--repo', '../x', '--keys', keys]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/a folder inside the branch/);
  const notGit = await edgemlIn(tempDir(), ['publish', '--store', 'git:gh-pages', '--keys', keys, '--version', '1.0.0', '--artifacts', artifactsOf(MODELS.digits)]);
  expect(notGit.status).toBe(2);
  expect(notGit.stderr).toMatch(/not a git repository; run this in the workflow's checkout/);
});
