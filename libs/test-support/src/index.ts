export * from './start-fake-policyd.js';
