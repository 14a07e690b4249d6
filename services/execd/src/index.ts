// The public API of @nexus/execd, listed by name: the server. The EX codec and client live in @nexus/proto.
export { ExecdError, type ExecdErrorCode } from './execd-error.js';
export { type ExecdHandle, type ExecdOptions, startExecd } from './start-execd.js';
