export * from './frame-reader.js';
export * from './frame-writer.js';
export * from './ipc-error.js';
export * from './service-id.js';
