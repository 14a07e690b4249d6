import { Ajv } from 'ajv';
import { parse } from 'smol-toml';
import { BM_MAX_MANIFEST } from '@nexus/proto';
import { BundleError } from './bundle-error.js';
import { BUNDLE_MANIFEST_SCHEMA } from './bundle-manifest-schema.js';

/**
 * A validated bundle manifest (frozen).
 *
 * @example
 * const m: BundleManifest = parseBundleManifest(bytes);
 * m.capabilities; // ['ipc.core']
 */
export interface BundleManifest {
  readonly name: string;
  readonly version: string;
  readonly publisher: string;
  readonly capabilities: readonly string[];
}

// allErrors off: the first violation is enough to refuse, and it bounds the work per manifest.
const validate = new Ajv({ allErrors: false, strict: true }).compile<BundleManifest>(BUNDLE_MANIFEST_SCHEMA);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses the exact manifest bytes of an INSTALL (UTF-8 TOML, ≤ 4096 bytes) and validates them
 * against {@link BUNDLE_MANIFEST_SCHEMA}. Throws `BundleError('TOO_LARGE')` over the bound and
 * `BundleError('MANIFEST')` for anything that is not UTF-8, not TOML or not the schema; the error
 * message never quotes the manifest.
 *
 * @example
 * parseBundleManifest(new TextEncoder().encode('name = "demo.testsvc"\nversion = "1.0.0"\npublisher = "nexus"\ncapabilities = ["fs.read"]\n'));
 * // { name: 'demo.testsvc', version: '1.0.0', publisher: 'nexus', capabilities: ['fs.read'] }
 */
export function parseBundleManifest(bytes: Uint8Array): BundleManifest {
  if (bytes.byteLength > BM_MAX_MANIFEST) throw new BundleError('TOO_LARGE', `manifest of ${bytes.byteLength} bytes`);
  let doc: unknown;
  try {
    doc = parse(utf8.decode(bytes));
  } catch (cause) {
    throw new BundleError('MANIFEST', 'not a UTF-8 TOML document', { cause });
  }
  if (!validate(doc)) {
    const first = validate.errors?.[0];
    throw new BundleError('MANIFEST', `schema: ${first?.instancePath || '/'} ${first?.keyword ?? 'invalid'}`);
  }
  return Object.freeze({
    name: doc.name,
    version: doc.version,
    publisher: doc.publisher,
    capabilities: Object.freeze([...doc.capabilities]),
  });
}
