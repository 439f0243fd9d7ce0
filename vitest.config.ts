import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Benchmarks spawn runtime processes: two cores, so keep files from fighting over them.
    fileParallelism: false,
    // The last lines say how many tests passed, failed and were skipped, and why they were skipped.
    reporters: ['default', './test/skips-reporter.ts'],
  },
});
