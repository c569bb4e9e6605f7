export { type PlannedMessage, planSlackMessages, type SlackTarget } from './delivery-plan.js';
export { type SlackOptions, slack, slackAppChannel } from './slack-app-channel.js';
export {
  createSlackChannel,
  DEFAULT_MAX_MESSAGE_CHARS,
  type SlackApprovers,
  type SlackChannel,
  type SlackChannelOptions,
  slackApproverPolicy,
  slackOptionsFromEnv,
  slackUser,
} from './slack-channel.js';
export { deliverSlackReplies, type SlackDeliveryReport } from './slack-delivery.js';
export {
  SlackDeliveryError,
  SlackRequestError,
  SlackSignatureError,
  type SlackSignatureFailure,
} from './slack-errors.js';
export { type ClassifiedEvent, classifyEvent, type SlackInput } from './slack-events.js';
export { SLACK_ROUTES, slackChannelFromEnvironment, slackRoute } from './slack-hosting.js';
export {
  handleSlackHttp,
  type SlackHttpRequest,
  type SlackHttpResponse,
  type SlackRequestKind,
} from './slack-http.js';
export {
  APPROVE_ACTION,
  approvalMessage,
  escapeMrkdwn,
  MESSAGES,
  REJECT_ACTION,
  type SlackMessageContent,
  splitMessage,
} from './slack-messages.js';
export {
  COMMAND_THREAD,
  isSlackSession,
  parseMessageLink,
  type SlackConversation,
  slackSessionRef,
  slackTenant,
} from './slack-session.js';
export {
  MAX_REQUEST_AGE_SECONDS,
  type SlackHeaders,
  slackSignature,
  verifySlackRequest,
} from './slack-signature.js';
export { handleSlackRun } from './slack-worker.js';
