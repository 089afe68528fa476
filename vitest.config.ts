import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'] },
      },
      {
        // Node 20 validates relaxed-simd modules only behind a flag: run the shared backend suites
        // again in child processes started with it, against the relaxed-simd flavour only.
        extends: true,
        test: {
          name: 'relaxed-simd',
          include: [
            'test/backend-suite.test.ts', 'test/matrix-suite.test.ts', 'test/infonce-suite.test.ts', 'test/batch-suite.test.ts',
          ],
          execArgv: ['--experimental-wasm-relaxed-simd'],
          env: { CONTRASTIVE_LOSS_TEST_BACKENDS: 'wasm-relaxed-simd' },
        },
      },
    ],
  },
});
