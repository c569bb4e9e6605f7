export { describeStoreConformance } from './conformance/describe-store-conformance.js';
export type { RetentionHarness, StoreHarness } from './conformance/store-harness.js';
export { countingStore, type StoreCounts } from './counting-store.js';
export {
  DELIVERY_CASES,
  type DeliveryCase,
  type DeliveryWorld,
  deliveryTableApp,
  expectDisposition,
  type ModelBehaviour,
  type ObservedDisposition,
  observedSession,
  SwitchableModel,
} from './delivery/delivery-cases.js';
// Fake provider servers (src/fakes/): protocol-faithful stand-ins for OpenAI and Bedrock.
export { awsError } from './fakes/aws-error.js';
export {
  decodeFrame,
  EVENT_STREAM_CONTENT_TYPE,
  eventFrame,
  exceptionFrame,
} from './fakes/aws-event-stream.js';
export {
  type BedrockAgentFake,
  type InlineAgentFakeInvocation,
  type InlineAgentFakeTurn,
  startBedrockAgentFake,
} from './fakes/bedrock-agent-fake.js';
export {
  type BedrockConverseFake,
  type ConverseFakeTurn,
  converseJson,
  converseStreamFrames,
  startBedrockConverseFake,
} from './fakes/bedrock-converse-fake.js';
export {
  type FakeHandler,
  type FakeResponse,
  type FakeServer,
  type RecordedRequest,
  sendRaw,
  sendStream,
  startFakeServer,
} from './fakes/fake-server.js';
export { type GatedChatFake, startGatedChatFake } from './fakes/gated-chat-fake.js';
export {
  type McpTestCall,
  type McpTestServer,
  type McpTestTool,
  startMcpServer,
} from './fakes/mcp-server.js';
export { type OpenAIFake, type OpenAIRoute, openAIError, startOpenAIFake } from './fakes/openai-fake.js';
export {
  chatCompletionJson,
  chatCompletionSse,
  type OpenAIFakeToolCall,
  type OpenAIFakeTurn,
  responseJson,
  responseSse,
} from './fakes/openai-wire.js';
export { portableHistory, portableRequest, portableTools } from './fakes/portable-history.js';
export {
  isRawReply,
  isTruncatedReply,
  jsonReply,
  malformedBody,
  type RawReply,
  type Reply,
  type ReplyFunction,
  Script,
  type ScriptedFakeBase,
  scriptedFake,
  type TruncatedReply,
  truncated,
} from './fakes/script.js';
// Fault injection (src/faults/): store calls that fail before or after the write, at the client level.
export {
  type CosmosFaultKind,
  type CosmosFaultOptions,
  type DynamoFaultKind,
  type DynamoFaultOptions,
  FaultPlan,
  type FaultPlanOptions,
  type FaultTiming,
  faultyCosmosHttpClient,
  faultyStore,
  type HttpClientLike,
  type InjectedFault,
  injectDynamoFaults,
  type MiddlewareClient,
  type StoreFaultOptions,
  type StoreOperation,
  seededRandom,
  sqliteBusyError,
} from './faults/index.js';
export { ManualClock } from './manual-clock.js';
export {
  callTools,
  type ResponseOptions,
  reply,
  ScriptExhaustedError,
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedResponse,
  type ScriptedStep,
  type ScriptFunction,
  type ToolCallSpec,
} from './scripted-model.js';
export { DeltaGate, type StreamingModelOptions, StreamingScriptedModel } from './streaming-model.js';
export { type TestApp, testApp } from './test-app.js';
export { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';
