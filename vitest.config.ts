import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/support/temporary-root.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
