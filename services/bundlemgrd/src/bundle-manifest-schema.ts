import { SERVICE_NAME_PATTERN } from '@nexus/ipc';
import { BM_MAX_NAME, BM_MAX_VERSION, BUNDLE_VERSION_PATTERN } from '@nexus/proto';

/** Most capabilities one manifest may request. */
export const BUNDLE_MAX_CAPABILITIES = 32;

/** A requested capability: dotted segments of `[a-z0-9_-]`, 1..48 bytes; no wildcard, no target. */
export const BUNDLE_CAPABILITY_PATTERN: RegExp = /^(?=.{1,48}$)[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/**
 * The JSON Schema (draft 2020-12 subset understood by ajv) every parsed manifest must satisfy.
 * Exactly four keys; a capability is exact (no `*`, no `@target`), so a bundle can never ask for a
 * family of capabilities it was not granted one by one.
 *
 * @example
 * new Ajv().compile(BUNDLE_MANIFEST_SCHEMA)({ name: 'demo.testsvc', version: '1.0.0', publisher: 'nexus', capabilities: [] });
 */
export const BUNDLE_MANIFEST_SCHEMA: {
  readonly type: 'object';
  readonly additionalProperties: false;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, object>>;
} = Object.freeze({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'publisher', 'capabilities'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: BM_MAX_NAME, pattern: SERVICE_NAME_PATTERN.source },
    version: { type: 'string', minLength: 1, maxLength: BM_MAX_VERSION, pattern: BUNDLE_VERSION_PATTERN.source },
    publisher: { type: 'string', minLength: 1, maxLength: BM_MAX_NAME, pattern: SERVICE_NAME_PATTERN.source },
    capabilities: {
      type: 'array',
      maxItems: BUNDLE_MAX_CAPABILITIES,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 48, pattern: BUNDLE_CAPABILITY_PATTERN.source },
    },
  },
});
