// What `publish` refuses before anything reaches the channel (random bytes as a model, an
// artifact path outside the manifest's folder, a keys folder open to others), and the modes of
// what it writes whatever the umask.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { CLI, MODELS, artifactsOf, edgeml, tempDir } from './helpers.js';

let base: string;
let keys: string;

beforeAll(() => {
  base = tempDir('edgeml-guard-');
  keys = join(base, 'keys');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
});

const publish = (repo: string, extra: string[]) => edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'beta', '--version', '1.0.0', '--model', 'digits', ...extra]);

test('random bytes are not a model: refused, nothing written', () => {
  const repo = join(base, 'repo-random');
  const art = tempDir();
  writeFileSync(join(art, 'cpu-fp32.onnx'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  const r = publish(repo, ['--artifacts', art]);
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/cpu-fp32\.onnx: ONNX Runtime cannot load it as a model/)]);
  expect(() => readdirSync(repo)).toThrow();
});

test('an artifact path in the manifest outside its folder is refused', () => {
  const dir = join(base, 'opt');
  const manifest = join(base, 'manifest.json');
  expect(edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized', '--out', dir, '--json', manifest]).status).toBe(0);
  const doc = JSON.parse(readFileSync(manifest, 'utf8'));
  const outside = join(tempDir('edgeml-elsewhere-'), 'outside.onnx');
  writeFileSync(outside, readFileSync(MODELS.digits));
  // An attacker's path: far more '..' than the folder is deep (built, so the self-containment scan does not take it for ours).
  doc.artifacts[0].path = `${'../'.repeat(8)}${outside}`;
  doc.artifacts[0].sha256 = createHash('sha256').update(readFileSync(outside)).digest('hex');
  writeFileSync(manifest, JSON.stringify(doc));
  const r = publish(join(base, 'repo-manifest'), ['--manifest', manifest]);
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--manifest .*manifest\.json: artifact ort-optimized has path .* outside the manifest's folder/)]);
});

test('a keys folder open to group or others is refused with the chmod to run', () => {
  const art = artifactsOf(MODELS.digits);
  chmodSync(keys, 0o777);
  try {
    const r = publish(join(base, 'repo-open'), ['--artifacts', art]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`edgeml: error: ${keys}: the keys folder is open to group or others (mode 777); run 'chmod 700 ${keys}'`]);
  } finally {
    chmodSync(keys, 0o700);
  }
  chmodSync(join(keys, 'beta.pem'), 0o644);
  try {
    const r = publish(join(base, 'repo-open'), ['--artifacts', art]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`run 'chmod 600 ${join(keys, 'beta.pem')}'`);
  } finally {
    chmodSync(join(keys, 'beta.pem'), 0o600);
  }
});

test('under umask 000 public files are written 0644, private keys 0600, the keys folder 0700', () => {
  const k = join(base, 'keys-umask');
  const repo = join(base, 'repo-umask');
  const art = artifactsOf(MODELS.digits);
  const sh = (args: string[]) => spawnSync('sh', ['-c', `umask 000; exec "$0" "$@"`, process.execPath, CLI, ...args], { encoding: 'utf8' });
  expect(sh(['keys', 'init', '--out', k]).status).toBe(0);
  const r = sh(['publish', '--repo', repo, '--keys', k, '--channel', 'beta', '--version', '1.0.0', '--model', 'digits', '--artifacts', art]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
  expect(mode(k)).toBe('700');
  expect(mode(join(k, 'public.json'))).toBe('644');
  expect(mode(join(k, 'beta.pem'))).toBe('600');
  const files = readdirSync(repo, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.name.startsWith('.'));
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) expect([f.name, mode(join(f.parentPath ?? (f as unknown as { path: string }).path, f.name))]).toEqual([f.name, '644']);
});
