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

export interface InlineAgentFakeInvocation {
  function: string;
  /** Values as the service sends them: always strings, whatever the declared type. */
  parameters?: Record<string, string>;
  /** Default: the request's action group that declares `function`. */
  actionGroup?: string;
}

export interface InlineAgentFakeTurn {
  /** The agent's answer, sent as `chunk` events. */
  text?: string;
  /** Pause with a `returnControl` event asking the caller to run these functions. */
  returnControl?: { invocationId: string; invocations: InlineAgentFakeInvocation[] };
  /** Reported in an orchestration `trace` event's model invocation metadata. */
  usage?: { inputTokens: number; outputTokens: number };
  /** A modeled exception (e.g. 'throttlingException') sent after the other events. */
  streamException?: { type: string; message: string };
}

export interface BedrockAgentFake extends FakeServer {
  readonly script: Script<InlineAgentFakeTurn>;
  enqueue(...replies: Reply<InlineAgentFakeTurn>[]): BedrockAgentFake;
  /** The session id in a recorded request's path. */
  sessionIdOf(request: RecordedRequest): string | undefined;
}

interface InlineAgentRequestBody {
  actionGroups?: Array<{
    actionGroupName?: string;
    functionSchema?: { functions?: Array<{ name?: string; parameters?: Record<string, { type?: string }> }> };
  }>;
}

/**
 * A local Bedrock Agent Runtime serving InvokeInlineAgent (`POST /agents/{sessionId}`) with a real
 * AWS event stream: `chunk` (base64 bytes), `trace` and `returnControl` events. Parameter types in
 * `returnControl` come from the request's own function schema, as the service does.
 *
 * @example
 * const fake = await startBedrockAgentFake();
 * fake.enqueue({
 *   returnControl: { invocationId: 'inv-1', invocations: [{ function: 'add', parameters: { a: '2' } }] },
 * });
 */
export async function startBedrockAgentFake(): Promise<BedrockAgentFake> {
  const script = new Script<InlineAgentFakeTurn>();
  const server = await startFakeServer((request, response) => {
    const sessionId = sessionIdOf(request);
    if (!sessionId || request.method !== 'POST') {
      sendRaw(response, awsError(404, 'ResourceNotFoundException', `no route for ${request.path}`).raw);
      return;
    }
    answer(sessionId, request, script.next(request), response);
  });
  return scriptedFake<InlineAgentFakeTurn, BedrockAgentFake>(server, script, { sessionIdOf });
}

function sessionIdOf(request: RecordedRequest): string | undefined {
  return /^\/agents\/([^/]+)$/.exec(request.path)?.[1];
}

function answer(
  sessionId: string,
  request: RecordedRequest,
  reply: Reply<InlineAgentFakeTurn>,
  response: FakeResponse,
): void {
  if (isRawReply(reply)) {
    sendRaw(response, reply.raw);
    return;
  }
  const cut = isTruncatedReply(reply);
  const turn = cut ? reply.truncated : reply;
  const frames = inlineAgentFrames(turn, sessionId, (request.body ?? {}) as InlineAgentRequestBody);
  sendStream(
    response,
    {
      'content-type': EVENT_STREAM_CONTENT_TYPE,
      'x-amzn-bedrock-agent-content-type': 'application/json',
      'x-amz-bedrock-agent-session-id': sessionId,
    },
    frames,
    cut ? Math.floor(frames.length / 2) : undefined,
  );
}

function inlineAgentFrames(
  turn: InlineAgentFakeTurn,
  sessionId: string,
  body: InlineAgentRequestBody,
): Uint8Array[] {
  const frames: Uint8Array[] = [];
  if (turn.usage) {
    frames.push(
      eventFrame('trace', {
        sessionId,
        trace: { orchestrationTrace: { modelInvocationOutput: { metadata: { usage: turn.usage } } } },
      }),
    );
  }
  if (turn.text !== undefined) {
    const middle = Math.ceil(turn.text.length / 2);
    for (const piece of [turn.text.slice(0, middle), turn.text.slice(middle)]) {
      if (piece) frames.push(eventFrame('chunk', { bytes: Buffer.from(piece, 'utf8').toString('base64') }));
    }
  }
  if (turn.returnControl) {
    const { invocationId, invocations } = turn.returnControl;
    frames.push(
      eventFrame('returnControl', {
        invocationId,
        invocationInputs: invocations.map((invocation) => functionInput(invocation, body)),
      }),
    );
  }
  if (turn.streamException) {
    frames.push(exceptionFrame(turn.streamException.type, turn.streamException.message));
  }
  return frames;
}

function functionInput(invocation: InlineAgentFakeInvocation, body: InlineAgentRequestBody) {
  const group = body.actionGroups?.find((candidate) =>
    candidate.functionSchema?.functions?.some((fn) => fn.name === invocation.function),
  );
  const declared = group?.functionSchema?.functions?.find(
    (fn) => fn.name === invocation.function,
  )?.parameters;
  return {
    functionInvocationInput: {
      actionGroup: invocation.actionGroup ?? group?.actionGroupName ?? 'unknown_action_group',
      function: invocation.function,
      actionInvocationType: 'RESULT',
      parameters: Object.entries(invocation.parameters ?? {}).map(([name, value]) => ({
        name,
        type: declared?.[name]?.type ?? 'string',
        value,
      })),
    },
  };
}
