// The public API of @nexus/bundlemgrd, listed by name: the server and its manifest rules. The BM codec and client live in @nexus/proto.
export { BundleError, type BundleErrorCode } from './bundle-error.js';
export {
  BUNDLE_CAPABILITY_PATTERN,
  BUNDLE_MANIFEST_SCHEMA,
  BUNDLE_MAX_CAPABILITIES,
} from './bundle-manifest-schema.js';
export { BUNDLE_MAX_IMAGES, BundleRegistry, type InstalledBundle } from './bundle-registry.js';
export { type BundleManifest, parseBundleManifest } from './parse-bundle-manifest.js';
export {
  BUNDLE_INSTALL_CAP,
  type BundlemgrdHandle,
  type BundlemgrdOptions,
  startBundlemgrd,
} from './start-bundlemgrd.js';
