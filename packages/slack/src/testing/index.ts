export {
  FakeSlackApi,
  type FakeSlackCall,
  type FakeSlackFailure,
  type FakeSlackMessage,
} from './fake-slack-api.js';
export { signedSlackRequest } from './sign-slack-request.js';
export { ArrayRunQueue, type SlackHarness, startSlackHarness, TestClock } from './slack-harness.js';
export {
  blockActionsBody,
  eventCallbackBody,
  type MessageOptions,
  mentionBody,
  messageBody,
  slashCommandBody,
  type Workspace,
} from './slack-payloads.js';
