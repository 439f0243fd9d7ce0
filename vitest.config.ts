import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions are verdicts from timing (a slower head found slower, a model against
 * itself unchanged, the example's latency budgets passed): they run alone, after the rest, so no
 * other test file competes for the two cores while they measure. Every other file runs two at a
 * time: most of their time is spent waiting on child processes and servers they start.
 */
const TIMED = ['test/compare.test.ts', 'test/paired.test.ts', 'test/run.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two files at a time in the first group (the default would be one less than the cores).
    maxWorkers: 2,
    // The last lines say how many tests passed, failed and were skipped, and why they were skipped.
    reporters: ['default', './test/skips-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: TIMED, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
