import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // Two test files run at once on the 2-core CI machine: one wasm kernel thread each ('auto' would
    // start a pool per file). The threaded backend has its own tests with an explicit count.
    env: { MTL_BACKEND_THREADS: '1' },
  },
});
