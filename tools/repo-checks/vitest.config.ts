import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/tools/repo-checks',
  test: { name: '@nexus/repo-checks', environment: 'node', include: ['src/**/*.test.ts'], testTimeout: 60000 },
});
