export { type PlannedMessage, planSlackMessages, type SlackTarget } from './delivery-plan.js';
// handleSlackHttp, deliverSlackReplies and handleSlackRun load their modules on first use: an app
// whose config names slack() but serves no Slack traffic never loads the Web API client.
export {
  deliverSlackReplies,
  handleSlackHttp,
  handleSlackRun,
  type SlackOptions,
  slack,
  slackAppChannel,
} from './slack-app-channel.js';
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
export type { SlackDeliveryReport } from './slack-delivery.js';
export {
  SlackDeliveryError,
  SlackRequestError,
  SlackSignatureError,
  type SlackSignatureFailure,
} from './slack-errors.js';
export { type ClassifiedEvent, classifyEvent, type SlackInput } from './slack-events.js';
export { SLACK_ROUTES, slackChannelFromEnvironment, slackRoute } from './slack-hosting.js';
export type { SlackHttpRequest, SlackHttpResponse, SlackRequestKind } from './slack-http.js';
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
