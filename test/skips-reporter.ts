// The closing lines of `npm test`: how many tests passed, failed and were skipped, and why they
// were skipped. test/tools.ts runs in the workers and writes each reason into EDGEML_SKIPS_DIR,
// which this reporter (in the main process, before any worker starts) creates and reads back.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipsReporter implements Reporter {
  private dir = '';

  onInit(): void {
    this.dir = mkdtempSync(join(tmpdir(), 'edgeml-skips-'));
    process.env.EDGEML_SKIPS_DIR = this.dir;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let broken = 0;
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      failed += failedHere;
      // A file that failed outside its tests: at import (a missing tool under EDGEML_REQUIRE_TOOLS=1)
      // or in a hook, whose tests then read as skipped. Never a pass.
      if (m.state() === 'failed' && failedHere === 0) broken++;
    }
    const reasons = new Map<string, number>();
    for (const f of readdirSync(this.dir)) {
      for (const line of readFileSync(join(this.dir, f), 'utf8').split('\n')) if (line) reasons.set(line, (reasons.get(line) ?? 0) + 1);
    }
    rmSync(this.dir, { recursive: true, force: true });
    const out: string[] = [''];
    if ((skipped && !broken) || reasons.size) {
      out.push("why tests were skipped (EDGEML_REQUIRE_TOOLS=1 turns a missing Debian package into a failure):");
      for (const r of [...reasons.keys()].sort()) out.push(`  ${r}`);
      if (!reasons.size) out.push('  (no reason recorded: an it.skip or a filtered run)');
    }
    if (broken) out.push(`${broken} test file(s) failed outside their tests (import or hook; errors above): their tests count as failed here`);
    out.push(`${passed} passed, ${failed + broken} failed, ${skipped} skipped`);
    process.stdout.write(`${out.join('\n')}\n`);
    // .ci/run adds up several runs (the suite, then the bundles under Node 24).
    const counts = process.env.EDGEML_TEST_COUNTS;
    if (counts) appendFileSync(counts, `${JSON.stringify({ passed, failed: failed + broken, skipped })}\n`);
  }
}
