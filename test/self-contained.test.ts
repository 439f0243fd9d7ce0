// A fresh clone passes its own tests: nothing the tests, benchmarks, scripts and examples read lies
// outside the repository. Statically here (every tracked text file); .ci/run proves it by running
// the suite in a clone with nothing beside it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const AREAS = ['test', 'benchmark', 'scripts', 'examples', '.ci', '.github', 'vitest.config.ts', 'package.json'];
const TEXT = /\.(ts|mjs|js|cjs|py|sh|json|ya?ml|md|toml)$|^\.ci\/run$/;

/** Absolute paths a test may name: programs and data Debian installs, and paths on a device. */
const SYSTEM = [
  /^\/usr\/bin\/[a-z0-9._+-]+$/, // programs (python3, chromium, true)
  /^\/usr\/bin$/,
  /^(\/usr)?\/bin(:(\/usr)?\/bin)*$/, // a PATH of system folders
  /^\/bin(\/[a-z]+)?$/,
  /^\/usr\/share\/libonnx-testdata\//, // Debian libonnx-testdata
  /^\/usr\/src\/tensorrt\//, // where JetPack puts trtexec
  /^\/var\/lib\/edgeml(\/|$)/, // the agent's install folder on a device (a setting, never read by a test)
  /^\/opt\/edgeml\//, // where the agent's container image keeps the CLI (Dockerfile)
  /^\/usr\/sbin\/[a-z0-9._+-]+$/, // Debian's daemons (mosquitto)
  /^\/(etc|var\/lib)\/mosquitto\//, // Debian mosquitto's own folders, named to be avoided
  /^\/proc(\/|$)/, // the kernel's view of processes (RSS, CPU, command lines)
  /^\/dev\/null$/,
  /^\/proc\/self\//,
];

const tracked = execFileSync('git', ['-C', ROOT, 'ls-files', '--', ...AREAS], { encoding: 'utf8' })
  .split('\n')
  // This file is left out: its own examples of what the check catches would be found.
  .filter((f) => f && TEXT.test(f) && !f.startsWith('test/schemas/') && f !== 'test/self-contained.test.ts');

/** String literals in `text` that are absolute paths of a machine, or climb out of the repository. */
export function outsidePaths(text: string, file: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(["'`])((?:\/(?:work|home|root|Users|mnt|opt|srv|var|etc|usr|tmp|bin|dev|proc)\b|[A-Z]:\\\\)[^"'`\s]*)\1/g)) {
    if (!SYSTEM.some((re) => re.test(m[2]))) found.push(`${file}: ${m[2]}`);
  }
  // ../shared and friends: a path leaving the repository root from a file at depth d needs d+1 '..'.
  const depth = file.split('/').length - 1;
  for (const m of text.matchAll(/(["'`])((?:\.\.\/){1,}[^"'`\s]*)\1/g)) {
    const ups = m[2].split('/').filter((s) => s === '..').length;
    // `../../dist/...` is an action.yml `main`, relative to actions/<name>/, not to this file.
    if (ups > depth && !/^\.\.\/\.\.\/(dist\/.*)?$/.test(m[2])) found.push(`${file}: ${m[2]}`);
  }
  for (const m of text.matchAll(/\b(?:join|resolve)\(ROOT, ["'`]\.\.[^"'`]*["'`]/g)) found.push(`${file}: ${m[0]}`);
  return found;
}

describe('the repository is self-contained', () => {
  it('the check finds what it must: a sibling folder, a machine path, a climb out of the root', () => {
    expect(outsidePaths("join(ROOT, '../shared/fixtures/digits')", 'test/helpers.ts')).toHaveLength(1);
    expect(outsidePaths("const M = '../../shared/m.onnx';", 'test/a.test.ts')).toEqual(['test/a.test.ts: ../../shared/m.onnx']);
    expect(outsidePaths('{"path": "/work/shared/fixtures/digits/mlp.onnx"}', 'test/fixtures/results/digits.json')).toHaveLength(1);
    expect(outsidePaths("import { x } from '../src/model/index.js';", 'test/model.test.ts')).toEqual([]);
    expect(outsidePaths("spawnSync('/usr/bin/python3', [])", 'test/optimize.test.ts')).toEqual([]);
  });

  it(`no tracked file under ${AREAS.join(', ')} names a path outside the repository`, () => {
    expect(tracked.length).toBeGreaterThan(50);
    const found = tracked.flatMap((f) => outsidePaths(readFileSync(join(ROOT, f), 'utf8'), f));
    expect(found).toEqual([]);
  });
});
