import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src-*/**/*.test.{ts,tsx}'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src-*/**/*.int.test.ts', 'e2e/**/*.int.test.ts'],
          globalSetup: ['e2e/mailserver/vitest-global-setup.ts'],
          // Node has no IndexedDB: the renderer's cache code runs over fake-indexeddb here.
          setupFiles: ['fake-indexeddb/auto'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
