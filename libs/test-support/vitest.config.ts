import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/libs/test-support',
  ssr: { resolve: { conditions: ['@nexus/source', ...defaultServerConditions] } },
  test: { name: '@nexus/test-support', environment: 'node', include: ['src/**/*.test.ts'], testTimeout: 20000 },
});
