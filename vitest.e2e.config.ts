// End-to-end tests (test/e2e): the real server, real training, Debian's Chromium. One file at a
// time, generous timeouts; run with `npx vitest run --config vitest.e2e.config.ts`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
