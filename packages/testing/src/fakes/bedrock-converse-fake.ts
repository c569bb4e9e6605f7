import { awsError } from './aws-error.js';
import { EVENT_STREAM_CONTENT_TYPE, eventFrame, exceptionFrame } from './aws-event-stream.js';
import {
  type FakeResponse,
  type FakeServer,
  type RecordedRequest,
  sendRaw,
  sendStream,
  startFakeServer,
} from './fake-server.js';
import { isRawReply, isTruncatedReply, type Reply, Script, scriptedFake } from './script.js';

export interface ConverseFakeTurn {
  text?: string;
  /** `input` is sent as given; a string stands for tool input the model failed to make JSON. */
  toolUses?: Array<{ toolUseId: string; name: string; input: unknown }>;
  /** Wire stop reason; default 'tool_use' with tool uses, else 'end_turn'. */
  stopReason?: string;
  usage?: { inputTokens: number; outputTokens: number; cacheReadInputTokens?: number };
  /** ConverseStream only: a modeled exception (e.g. 'throttlingException') sent after the content. */
  streamException?: { type: string; message: string };
}

export interface BedrockConverseFake extends FakeServer {
  readonly script: Script<ConverseFakeTurn>;
  enqueue(...replies: Reply<ConverseFakeTurn>[]): BedrockConverseFake;
  /** The model id and operation of a recorded request. */
  routeOf(request: RecordedRequest): { modelId: string; stream: boolean } | undefined;
}

/**
 * A local Bedrock Runtime speaking Converse (`POST /model/{modelId}/converse`, JSON) and
 * ConverseStream (`POST /model/{modelId}/converse-stream`, AWS event stream). Point a
 * `BedrockRuntimeClient` at `url` with `endpoint` and static fake credentials.
 *
 * @example
 * const fake = await startBedrockConverseFake();
 * fake.enqueue({ text: 'Hi!', usage: { inputTokens: 5, outputTokens: 2 } });
 * const client = new BedrockRuntimeClient({
 *   endpoint: fake.url,
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
 * });
 */
export async function startBedrockConverseFake(): Promise<BedrockConverseFake> {
  const script = new Script<ConverseFakeTurn>();
  const server = await startFakeServer((request, response) => {
    const route = routeOf(request);
    if (!route || request.method !== 'POST') {
      sendRaw(response, awsError(404, 'UnknownOperationException', `no route for ${request.path}`).raw);
      return;
    }
    answer(route, script.next(request), response);
  });
  return scriptedFake<ConverseFakeTurn, BedrockConverseFake>(server, script, { routeOf });
}

function routeOf(request: RecordedRequest): { modelId: string; stream: boolean } | undefined {
  const match = /^\/model\/(.+)\/(converse|converse-stream)$/.exec(request.path);
  if (!match?.[1]) return undefined;
  return { modelId: match[1], stream: match[2] === 'converse-stream' };
}

function answer(
  route: { modelId: string; stream: boolean },
  reply: Reply<ConverseFakeTurn>,
  response: FakeResponse,
): void {
  if (isRawReply(reply)) {
    sendRaw(response, reply.raw);
    return;
  }
  const cut = isTruncatedReply(reply);
  const turn = cut ? reply.truncated : reply;
  if (route.stream) {
    const frames = converseStreamFrames(turn);
    sendStream(
      response,
      { 'content-type': EVENT_STREAM_CONTENT_TYPE },
      frames,
      cut ? Math.floor(frames.length / 2) : undefined,
    );
    return;
  }
  const json = JSON.stringify(converseJson(turn));
  if (cut) {
    sendStream(response, { 'content-type': 'application/json' }, [json.slice(0, json.length / 2)], 1);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(json);
}

function stopReason(turn: ConverseFakeTurn): string {
  return turn.stopReason ?? (turn.toolUses?.length ? 'tool_use' : 'end_turn');
}

function usage(turn: ConverseFakeTurn) {
  const { inputTokens = 0, outputTokens = 0, cacheReadInputTokens } = turn.usage ?? {};
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    ...(cacheReadInputTokens !== undefined ? { cacheReadInputTokens } : {}),
  };
}

export function converseJson(turn: ConverseFakeTurn): unknown {
  const content: unknown[] = [];
  if (turn.text !== undefined) content.push({ text: turn.text });
  for (const toolUse of turn.toolUses ?? []) content.push({ toolUse });
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: stopReason(turn),
    usage: usage(turn),
    metrics: { latencyMs: 1 },
  };
}

/** The event-stream frames ConverseStream sends for a turn, in the service's order. */
export function converseStreamFrames(turn: ConverseFakeTurn): Uint8Array[] {
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  let index = 0;
  if (turn.text !== undefined) {
    const middle = Math.ceil(turn.text.length / 2);
    for (const piece of [turn.text.slice(0, middle), turn.text.slice(middle)]) {
      if (piece)
        frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } }));
    }
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index }));
    index += 1;
  }
  for (const toolUse of turn.toolUses ?? []) {
    const { toolUseId, name } = toolUse;
    frames.push(
      eventFrame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } }),
    );
    // Tool input streams as fragments of a JSON string, never as a document.
    const input = typeof toolUse.input === 'string' ? toolUse.input : JSON.stringify(toolUse.input ?? {});
    const middle = Math.ceil(input.length / 2);
    for (const piece of [input.slice(0, middle), input.slice(middle)]) {
      if (piece) {
        frames.push(
          eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: piece } } }),
        );
      }
    }
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index }));
    index += 1;
  }
  if (turn.streamException) {
    frames.push(exceptionFrame(turn.streamException.type, turn.streamException.message));
    return frames;
  }
  frames.push(eventFrame('messageStop', { stopReason: stopReason(turn) }));
  frames.push(eventFrame('metadata', { usage: usage(turn), metrics: { latencyMs: 1 } }));
  return frames;
}
