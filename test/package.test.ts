// The CLI as another repository or a device gets it from npm: `npm pack` of this checkout,
// `npm install` of the tarball into an empty folder (tarballs from npm's cache, which npm ci filled;
// the registry answers which versions exist), then
// `npx edgeml --version` and one `npx edgeml bench` on a real model in that folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../src/results/index.js';
import { VERSION } from '../src/version.js';
import { MODELS, QUICK, ROOT, tempDir } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
// An older npm would run onnxruntime-node's install script, which fetches CUDA libraries.
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

describe('the npm package', () => {
  let tarball: string;
  let files: string[];
  let app: string;

  beforeAll(() => {
    const out = tempDir('edgeml-pack-');
    const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', out], { cwd: ROOT, env, encoding: 'utf8', shell: process.platform === 'win32' }));
    tarball = join(out, packed[0].filename);
    files = (packed[0].files as Array<{ path: string }>).map((f) => f.path).sort();
    app = tempDir('edgeml-app-');
    writeFileSync(join(app, 'package.json'), '{ "name": "uses-edgeml", "private": true }\n');
    execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env, stdio: 'pipe', shell: process.platform === 'win32', timeout: 600_000 });
  }, 900_000);

  it('is publishable: a name npm accepts, not private, versioned like the CLI, MIT, engines honest', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.name).toMatch(/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/);
    expect(pkg.version).toBe(VERSION);
    expect(pkg.license).toBe('MIT');
    expect(pkg.bin).toEqual({ edgeml: 'dist/cli/index.js' });
    // Everything but the native runtime is bundled into dist/: one runtime dependency.
    expect(Object.keys(pkg.dependencies)).toEqual(['onnxruntime-node']);
    const ort = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8'));
    expect(ort.engines?.node ?? '>=16').toMatch(/^>=\s*(1\d|20)\b/);
  });

  it('holds the CLI bundle, its worker, the schemas and the legal files, and none of the action bundles', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/cli/index.js', 'dist/worker/index.js', 'schemas/config.schema.json', 'schemas/results.schema.json']));
    expect(files.filter((f) => /^dist\/(?!cli\/|worker\/)/.test(f))).toEqual([]);
    expect(files.filter((f) => /^(src|test|build|node_modules)\//.test(f))).toEqual([]);
  });

  it('npx edgeml --version answers in the folder it was installed into', () => {
    const r = spawnSync(npx, ['--no-install', 'edgeml', '--version'], { cwd: app, env, encoding: 'utf8', shell: process.platform === 'win32' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('npx edgeml bench measures a real model with the installed onnxruntime-node', () => {
    const json = join(app, 'bench.json');
    const r = spawnSync(npx, ['--no-install', 'edgeml', 'bench', MODELS.digits, ...QUICK, '--json', json], { cwd: app, env, encoding: 'utf8', shell: process.platform === 'win32', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const doc = readResults(json);
    expect(doc.model.name).toBe('mlp.onnx');
    expect(doc.latencyMs.p50).toBeGreaterThan(0);
    expect(doc.runtime.name).toBe('onnxruntime-node');
  });
});
