export {
  type Agent,
  type AgentLimits,
  type AgentOptions,
  type AgentPolicies,
  type AgentTiming,
  agentToolSpecs,
  defineAgent,
} from './agent.js';
export type { FetchOptions } from './app/app-fetch.js';
// The app every host serves (app/) and models by name (models/).
export type { Channel, ChannelContext, ChannelFactory, Route } from './app/channel.js';
export { type AppHost, type BatonApp, createBatonApp } from './app/create-app.js';
export {
  type BatonConfig,
  type BatonDefinition,
  defineBaton,
  isBatonDefinition,
  neededProviders,
} from './app/define-baton.js';
export { type DeliveryOptions, type Disposition, failureKey, retryDelayMs } from './app/deliver.js';
export { type ParsedRunMessage, parseRunMessage } from './app/run-message.js';
export {
  type AppSettings,
  appSettings,
  integerSetting,
  requiredSetting,
  textSetting,
} from './app/settings.js';
export {
  type ApprovalCall,
  type ApproverPolicy,
  type ChannelApprovers,
  mayApprove,
  setChannelApprovers,
} from './approver-policy.js';
// Who may call what (auth/): identities, auth modes, the route table, API keys in the store.
export { type ApiKeyRecord, type ApiKeyStore, apiKeyRecord } from './auth/api-key-store.js';
export {
  apiKeys,
  DEFAULT_KEY_SCOPES,
  generateApiKey,
  type ParsedApiKey,
  parseApiKey,
} from './auth/api-keys.js';
export { AuthError, type AuthErrorCode, isAuthError } from './auth/auth-error.js';
export { type CustomAuthFunction, customAuth, platformAuth } from './auth/custom-auth.js';
export {
  type AuthConfig,
  type AuthContext,
  type AuthMode,
  type Identity,
  type IdentitySource,
  SCOPES,
  type Scope,
} from './auth/identity.js';
export { type JwtOptions, jwt } from './auth/jwt.js';
export type { RouteAccess, RouteSpec } from './auth/route-spec.js';
export {
  Baton,
  type BatonOptions,
  type ConverseResult,
  createBaton,
  type DecisionRequest,
  type HandleResult,
  type InputRequest,
  type PendingApproval,
  type SessionView,
  type SubmitResult,
} from './baton.js';
export { type Clock, systemClock } from './clock.js';
export { modelContext, type PendingCall, type RunPosition, runPosition } from './context.js';
export {
  type CostTally,
  DEFAULT_PRICES,
  emptyCostTally,
  findPrice,
  type ModelCost,
  type ModelPrice,
  mergePriceTables,
  type PriceTable,
  parsePriceTable,
  sumCostTallies,
  tallyCost,
  usageCost,
} from './cost.js';
export {
  type AgentToolOptions,
  agentTool,
  MAX_DELEGATION_DEPTH,
} from './delegation/agent-tool.js';
export { childSessionId } from './delegation/child-session.js';
export type { ChildSessionLink } from './delegation/session-links.js';
export {
  BatonError,
  ConflictError,
  CorruptRecordError,
  DuplicateError,
  EventTooLargeError,
  FencedError,
  isBatonError,
  isRetryable,
  LeaseHeldError,
  ModelError,
  PayloadTooLargeError,
  SchemaVersionError,
  SessionNotFoundError,
  StoreCorruptError,
  StoreFullError,
  StoreItemTooLargeError,
  StoreReadOnlyError,
  StoreUnavailableError,
  ThrottledError,
  UnknownAgentError,
  ValidationError,
} from './errors.js';
export {
  type EventBody,
  type EventKind,
  type EventOf,
  type RunEndReason,
  SCHEMA_VERSION,
  type SessionEvent,
  type StopReason,
  type ToolCall,
  type ToolOutcome,
  type Usage,
} from './events.js';
export {
  EVENT_RESPONSE_MAX_BYTES,
  EVENTS_PAGE_BYTES,
  type EventsPageOptions,
  eventResponseBytes,
  eventsPage,
} from './events-page.js';
export {
  type Head,
  hasPendingWork,
  incarnationOf,
  LEGACY_INCARNATION,
  type Lease,
  newHead,
  type ParentLink,
  type ScheduleSlot,
  type SessionStatus,
  sameIncarnation,
} from './head.js';
export {
  API_ROUTES,
  DEFAULT_MAX_BODY_BYTES,
  type HttpRequest,
  type HttpResponse,
  type HttpRouteOptions,
  handleHttp,
} from './http-routes.js';
export { type Json, type JsonObject, type JsonPrimitive, jsonBytes } from './json.js';
// Store authors: `@baton/core/store`. These few stay here for the hosts and tests that still use them.
export { acquireLease, breakLease, type Heartbeat, keepAlive, type LeaseOptions } from './lease.js';
// Streaming to clients (docs/live-sessions.md): the hub, the publisher, the SSE stream and its routes.
export { DEFAULT_LIVE_WRITE_MS, LiveCall, type LiveCallOptions, startLiveCall } from './live/live-call.js';
export { LiveHub, type LiveListener } from './live/live-hub.js';
export type { LiveSnapshot, LiveStore } from './live/live-store.js';
export { LIVE_WATCH_MS, LIVE_WATCH_REFRESH_MS } from './live/live-store.js';
export {
  openSessionStream,
  SESSION_STREAM_HEADERS,
  type SessionStreamOptions,
} from './live/session-stream.js';
export { formatStreamCursor, parseStreamCursor, type StreamCursor } from './live/stream-cursor.js';
export { type StreamRouteOptions, streamRoute } from './live/stream-routes.js';
export { type SseMessage, StreamState } from './live/stream-state.js';
export { eventChunks, TEXT_ID, type UiChunk } from './live/ui-chunks.js';
export { jsonLogger, type Logger, silentLogger } from './logger.js';
export { type LoopDeps, type RunOptions, type RunOutcome, runSession } from './loop.js';
export { MemoryStore } from './memory-store.js';
export { parseEvent, parseHead } from './migrate.js';
export type {
  Model,
  ModelMessage,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  ToolSpec,
} from './model.js';
export { environmentModel } from './models/model-choice.js';
export {
  ConfigurationError,
  defineModelProvider,
  type Environment,
  type ModelName,
  type ModelProvider,
  parseModelName,
} from './models/model-provider.js';
export {
  ModelRegistry,
  PROVIDER_PACKAGES,
  providerIds,
  type ResolvedModel,
} from './models/model-registry.js';
export { MODEL_PROVIDERS, modelSetting } from './models/model-setting.js';
export { offlineModel, offlineModelProvider } from './models/offline-model.js';
export { isUnresolvedModel, UnresolvedModel } from './models/unresolved-model.js';
export {
  markOutboxSent,
  type OutboxEntry,
  type OutboxTarget,
  type RecordOutboxResult,
  recordOutbox,
} from './outbox.js';
export type { RunMessage, RunQueue } from './queue.js';
export { redactSecrets } from './redact.js';
// How long sessions and dedupe records live in stores with expiry: one rule for every store.
export {
  DEFAULT_DEDUPE_TTL_SECONDS,
  DEFAULT_MAX_LIFETIME_SECONDS,
  type Retention,
  type RetentionExpiries,
  resolveRetention,
  retentionExpiries,
} from './retention.js';
// Scheduled wake-ups: input a session gets later, once or on a cron rule (docs/live-sessions.md).
export {
  cancelSchedule,
  listSchedules,
  type ScheduleTarget,
  type SetSchedule,
  setSchedule,
  wakeMessage,
} from './schedules/schedule-commits.js';
export { type Firing, fireSchedule } from './schedules/schedule-fire.js';
export {
  MAX_SCHEDULE_TEXT_BYTES,
  MAX_SCHEDULES,
  MIN_CRON_INTERVAL_MS,
  nextOccurrence,
  type ScheduleRequest,
  type ScheduleView,
} from './schedules/schedule-spec.js';
export { refKey, type SessionRef, sessionRef } from './session-ref.js';
export type { CommitRequest, ListPage, ListQuery, PendingQuery, SessionStore } from './store.js';
export {
  defineTool,
  type Tool,
  type ToolContext,
  type ToolExecution,
  type ToolOptions,
  ToolOutcomeUnknownError,
  type ToolState,
  toolSpec,
} from './tool.js';
export { applyPatch, type CheckedCall, checkCall } from './tool-runner.js';
export type { ListedTool, ToolListing, ToolSource, ToolSourceContext } from './tool-source.js';
export { formatTraceparent, parseTraceparent } from './tracing.js';
export {
  type AgentWebhook,
  type AgentWebhookOptions,
  MAX_SESSION_WEBHOOKS,
  type SessionWebhook,
  WEBHOOK_EVENTS,
  type WebhookEventType,
  type WebhookUrlPolicy,
  webhookUrlProblem,
} from './webhooks/webhook-config.js';
export { readWebhookOutbox, WEBHOOK_CHANNEL, type WebhookEntry } from './webhooks/webhook-outbox.js';
export { type RegisteredWebhook, registerSessionWebhook } from './webhooks/webhook-registration.js';
export { WebhookSender, type WebhookSendOptions, webhookRetryDelayMs } from './webhooks/webhook-sender.js';
export {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
  type WebhookVerification,
} from './webhooks/webhook-signature.js';
