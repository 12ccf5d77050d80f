import { defineConfig } from 'vitest/config';

// Kernel and Docker suites share one machine: run files one at a time so
// namespaces, XDP hooks and containers of one suite never race another's.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
