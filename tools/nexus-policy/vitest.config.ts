import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/tools/nexus-policy',
  // No "module" condition or main field: the OpenTelemetry packages' "module" builds use
  // extensionless imports that Node's ESM loader rejects; Node itself loads their CommonJS "main".
  ssr: {
    resolve: { conditions: ['@nexus/source', ...defaultServerConditions.filter((c) => c !== 'module')], mainFields: ['main'] },
  },
  test: { name: '@nexus/policy-cli', environment: 'node', include: ['src/**/*.test.ts'], testTimeout: 20000 },
});
