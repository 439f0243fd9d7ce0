// Third-party programs the tests use as real peers (brokers, registries, reference checkers).
// A test that needs one skips without it, naming the Debian package that brings it; with
// EDGEML_REQUIRE_TOOLS=1 (CI) a missing program fails the test file instead of skipping it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const REQUIRE_TOOLS = process.env.EDGEML_REQUIRE_TOOLS === '1';

/** Why tests were skipped in this process, one line per missing program. */
export const skipped: string[] = [];

function onPath(program: string): string | null {
  if (program.includes('/')) return existsSync(program) ? program : null;
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : null;
}

/**
 * The path of `program` (a name on the PATH or an absolute path), or null when it is absent, in
 * which case the caller skips (`describe.skipIf(!path)`) and the reason is recorded. Under
 * EDGEML_REQUIRE_TOOLS=1 an absent program throws, so the file fails rather than skips.
 */
export function tool(program: string, debianPackage: string): string | null {
  const path = onPath(program);
  if (path) return path;
  const line = `${program} not found: apt-get install ${debianPackage}`;
  if (REQUIRE_TOOLS) throw new Error(`${line} (EDGEML_REQUIRE_TOOLS=1: a missing tool fails)`);
  skipped.push(line);
  console.warn(`skipped: ${line}`);
  return null;
}

/** Like tool(), for something that is not a program: a Python module, a data folder. */
export function resource(present: boolean, what: string, debianPackage: string): boolean {
  if (present) return true;
  const line = `${what} not found: apt-get install ${debianPackage}`;
  if (REQUIRE_TOOLS) throw new Error(`${line} (EDGEML_REQUIRE_TOOLS=1: a missing tool fails)`);
  skipped.push(line);
  console.warn(`skipped: ${line}`);
  return false;
}
