import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker per core minus one: on CI's 2 cores that is a single worker, while
    // many files wait on child processes and sockets. Two workers halve the wall time there.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
