import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/e2e-policy',
  ssr: { resolve: { conditions: ['@nexus/source', ...defaultServerConditions] } },
  test: { name: '@nexus/e2e-policy', environment: 'node', include: ['src/**/*.test.ts'], testTimeout: 20000 },
});
