// npm run build: tsc compiles src/ to build/, then ncc bundles each entry's JS into dist/<name>/.
// (ncc's own TypeScript loader breaks with TypeScript 7, so it only ever sees JavaScript.)
// onnxruntime-node stays external: native code, installed next to the bundle at run time.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ncc from '@vercel/ncc';

const ENTRIES = {
  cli: 'build/src/cli/index.js',
  worker: 'build/src/bench/worker.js',
  benchmark: 'build/src/actions/benchmark.js',
  history: 'build/src/actions/history.js',
  report: 'build/src/actions/report.js',
  check: 'build/src/actions/check.js',
  publish: 'build/src/actions/publish.js',
  promote: 'build/src/actions/promote.js',
  optimize: 'build/src/actions/optimize.js',
  run: 'build/src/actions/run.js',
};

rmSync('build', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });
rmSync('dist', { recursive: true, force: true });
for (const [name, entry] of Object.entries(ENTRIES)) {
  const { code, assets } = await ncc(resolve(entry), {
    externals: ['onnxruntime-node'],
    minify: false,
    sourceMap: false,
    quiet: true,
    target: 'es2022',
  });
  const dir = `dist/${name}`;
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(`${dir}/index.js`, name === 'cli' && !code.startsWith('#!') ? `#!/usr/bin/env node\n${code}` : code, { mode: 0o755 });
  for (const [file, asset] of Object.entries(assets ?? {})) {
    execFileSync('mkdir', ['-p', `${dir}/${file}`.replace(/\/[^/]+$/, '')]);
    writeFileSync(`${dir}/${file}`, asset.source);
  }
  process.stdout.write(`dist/${name}/index.js ${(code.length / 1024).toFixed(0)} KiB, ${Object.keys(assets ?? {}).length} assets\n`);
}
