export { generateAuditKeyPair, namesKey, SEAL_CAP } from './audit-key.js';
export { BRINGUP_KEY_LABEL, type DeviceKeyPair, generateBringupKeyPair } from './bringup-key.js';
export { type KeystoreGetResult, type KeystoreNamespaceLimits, KeystoreNamespaces } from './keystore-namespaces.js';
export { KEYSTORED_ERROR_CODES, KeystoredError, type KeystoredErrorCode } from './keystored-error.js';
export {
  KEYSTORED_QUEUE_DEPTH,
  type KeystoredHandle,
  type KeystoredOptions,
  SIGN_CAP,
  startKeystored,
} from './start-keystored.js';
export { verifyEd25519 } from './verify-ed25519.js';
