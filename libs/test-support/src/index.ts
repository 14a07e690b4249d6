export {
  type FakePolicyAnswer,
  type FakePolicyd,
  type FakePolicydRequest,
  type FakePolicyScript,
  startFakePolicyd,
} from './start-fake-policyd.js';
