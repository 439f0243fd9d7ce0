// Third-party programs the tests use as real peers (brokers, registries, reference checkers).
// A test that needs one skips without it, naming the Debian package that brings it; with
// EDGEML_REQUIRE_TOOLS=1 (CI) a missing program fails the test file instead of skipping it.
// Every skip is also written to EDGEML_SKIPS_DIR (set by test/skips-reporter.ts), so the closing
// lines of `npm test` say how many tests were skipped and why, whichever worker skipped them.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const REQUIRE_TOOLS = process.env.EDGEML_REQUIRE_TOOLS === '1';

/** Why tests were skipped in this process, one line per missing program. */
export const skipped: string[] = [];

function onPath(program: string): string | null {
  if (program.includes('/')) return existsSync(program) ? program : null;
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : null;
}

function record(line: string): void {
  skipped.push(line);
  console.warn(`skipped: ${line}`);
  const dir = process.env.EDGEML_SKIPS_DIR;
  if (dir && existsSync(dir)) appendFileSync(join(dir, `${process.pid}.txt`), `${line}\n`);
}

function missing(line: string): void {
  if (REQUIRE_TOOLS) throw new Error(`${line} (EDGEML_REQUIRE_TOOLS=1: a missing tool fails)`);
  record(line);
}

/**
 * The path of `program` (a name on the PATH or an absolute path), or null when it is absent, in
 * which case the caller skips (`describe.skipIf(!path)`) and the reason is recorded. Under
 * EDGEML_REQUIRE_TOOLS=1 an absent program throws, so the file fails rather than skips.
 */
export function tool(program: string, debianPackage: string): string | null {
  const path = onPath(program);
  if (path) return path;
  missing(`${program} not found: apt-get install ${debianPackage}`);
  return null;
}

/** Like tool(), for something that is not a program: a Python module, a data folder. */
export function resource(present: boolean, what: string, debianPackage: string): boolean {
  if (present) return true;
  missing(`${what} not found: apt-get install ${debianPackage}`);
  return false;
}

/**
 * A vendor's tool that no Linux distribution packages (TensorRT's trtexec, OpenVINO's
 * benchmark_app): found where a device has it, else the test skips and says so, also under
 * EDGEML_REQUIRE_TOOLS=1, because CI runners cannot have it. `where` says how to get it.
 */
export function vendorTool(program: string, where: string, paths: string[] = []): string | null {
  const path = onPath(program) ?? paths.find((p) => existsSync(p)) ?? null;
  if (!path) record(`${program} not found (a vendor tool, optional even in CI): ${where}`);
  return path;
}
