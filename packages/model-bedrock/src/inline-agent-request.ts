import { createHash } from 'node:crypto';
import type {
  InvocationResultMember,
  InvokeInlineAgentCommandInput,
  Message,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type { JsonObject, ModelMessage, ModelRequest } from '@baton/core';
import { actionGroupFor } from './inline-agent-tools.js';

/** What a response carries in `providerState` so the next call can resume the paused invocation. */
export interface InlineAgentState {
  sessionId: string;
  /** Present while Bedrock waits for the results of a return of control. */
  invocationId?: string;
}

const STATE_KEY = 'bedrockInlineAgent';

export function stateOf(providerState: JsonObject | undefined): InlineAgentState | undefined {
  const state = providerState?.[STATE_KEY];
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return undefined;
  if (typeof state.sessionId !== 'string') return undefined;
  return {
    sessionId: state.sessionId,
    ...(typeof state.invocationId === 'string' ? { invocationId: state.invocationId } : {}),
  };
}

export function providerStateOf(state: InlineAgentState): JsonObject {
  return { [STATE_KEY]: { ...state } };
}

/** A Bedrock session id (`[0-9a-zA-Z._:-]`, at most 100 characters) that is stable per Baton session. */
export function sessionIdFor(sessionKey: string): string {
  return `baton-${createHash('sha256').update(sessionKey).digest('hex').slice(0, 40)}`;
}

export interface InlineAgentSettings {
  foundationModel: string;
  actionGroupName: string;
  idleSessionTTLInSeconds: number;
  enableTrace: boolean;
  streamFinalResponse: boolean;
}

// Bedrock Agents rejects instructions shorter than 40 characters.
const MIN_INSTRUCTION = 40;
const FILLER = 'Answer the user. Use the available tools when they help.';

/**
 * The InvokeInlineAgent input for a request. When the last assistant message paused on a return of
 * control and tool results follow it, the call resumes that invocation with the results; otherwise
 * it is a new turn whose input text is everything after the last assistant message.
 */
export function inlineAgentInput(
  settings: InlineAgentSettings,
  request: ModelRequest,
): InvokeInlineAgentCommandInput {
  const sessionId = sessionIdFor(request.sessionKey);
  const instructions = withOutputInstructions(request);
  const instruction =
    instructions.length >= MIN_INSTRUCTION
      ? instructions
      : [instructions, FILLER].filter(Boolean).join('\n\n');
  const base: InvokeInlineAgentCommandInput = {
    foundationModel: settings.foundationModel,
    instruction,
    sessionId,
    idleSessionTTLInSeconds: settings.idleSessionTTLInSeconds,
    enableTrace: settings.enableTrace,
    ...(request.tools.length > 0
      ? { actionGroups: [actionGroupFor(request.tools, settings.actionGroupName)] }
      : {}),
    ...(settings.streamFinalResponse ? { streamingConfigurations: { streamFinalResponse: true } } : {}),
  };

  const lastAssistant = request.messages.findLastIndex((message) => message.role === 'assistant');
  const assistant = request.messages[lastAssistant];
  const trailing = request.messages.slice(lastAssistant + 1);
  const state = assistant?.role === 'assistant' ? stateOf(assistant.providerState) : undefined;

  if (
    assistant?.role === 'assistant' &&
    state?.invocationId &&
    trailing.some((message) => message.role === 'tool')
  ) {
    return {
      ...base,
      // Resume in the session the invocation lives in, even if the key derivation ever changes.
      sessionId: state.sessionId,
      inlineSessionState: {
        invocationId: state.invocationId,
        returnControlInvocationResults: results(assistant, trailing, settings.actionGroupName),
      },
    };
  }

  const earlier = request.messages.slice(0, lastAssistant + 1);
  // Bedrock remembers its own session; history it never saw (another provider, a new Bedrock
  // session) travels as conversationHistory, so a conversation can move here mid-way.
  const carryHistory = earlier.length > 0 && state?.sessionId !== sessionId;
  return {
    ...base,
    inputText:
      render(trailing)
        .map((message) => message.text)
        .join('\n\n') || '(continue)',
    ...(carryHistory ? { inlineSessionState: { conversationHistory: { messages: history(earlier) } } } : {}),
  };
}

function results(
  assistant: Extract<ModelMessage, { role: 'assistant' }>,
  trailing: ModelMessage[],
  actionGroup: string,
): InvocationResultMember[] {
  const byCallId = new Map<string, Extract<ModelMessage, { role: 'tool' }>>();
  for (const message of trailing) if (message.role === 'tool') byCallId.set(message.callId, message);
  // Input that arrived while the tools ran cannot ride as inputText (Bedrock ignores it when results
  // are present), so it travels with the last result rather than being dropped.
  const userText = trailing
    .flatMap((message) => (message.role === 'user' ? [message.content] : []))
    .join('\n\n');
  return assistant.toolCalls.map((call, index) => {
    const result = byCallId.get(call.callId);
    let body = result ? result.content || '(no output)' : 'No result was recorded for this call.';
    if (userText && index === assistant.toolCalls.length - 1)
      body += `\n\n[The user wrote meanwhile: ${userText}]`;
    return {
      functionResult: {
        actionGroup,
        function: call.name,
        responseBody: { TEXT: { body } },
        // REPROMPT hands the failure back to the model; FAILURE would end the invocation with an error.
        ...(!result || result.isError ? { responseState: 'REPROMPT' as const } : {}),
      },
    };
  });
}

interface Rendered {
  role: 'user' | 'assistant';
  text: string;
}

/** Messages as plain text turns: conversation history and input text carry no tool blocks. */
function render(messages: ModelMessage[]): Rendered[] {
  return messages.flatMap((message): Rendered[] => {
    if (message.role === 'user') return message.content ? [{ role: 'user', text: message.content }] : [];
    if (message.role === 'tool') {
      const label = message.isError ? 'error from' : 'result of';
      return [
        {
          role: 'user',
          text: `[${label} ${message.name} (${message.callId}): ${message.content || '(no output)'}]`,
        },
      ];
    }
    const calls = message.toolCalls.map(
      (call) => `[called ${call.name} (${call.callId}) with ${call.arguments}]`,
    );
    const text = [message.content, ...calls].filter(Boolean).join('\n');
    return text ? [{ role: 'assistant', text }] : [];
  });
}

/** Conversation history with one message per turn: roles alternate, as Bedrock expects. */
function history(messages: ModelMessage[]): Message[] {
  const merged: Rendered[] = [];
  for (const message of render(messages)) {
    const last = merged.at(-1);
    if (last?.role === message.role) last.text += `\n\n${message.text}`;
    else merged.push({ ...message });
  }
  return merged.map((message) => ({ role: message.role, content: [{ text: message.text }] }));
}

/**
 * Bedrock Agents has no structured-output mode: an output schema is asked for in the instructions,
 * and Baton's loop validates the answer (a mismatch goes back to the model as a correction).
 */
function withOutputInstructions(request: ModelRequest): string {
  if (!request.output) return request.instructions;
  const ask = `When you give your final answer, reply with only a JSON object (no prose, no code fence) that matches this JSON Schema, named ${request.output.name}:\n${JSON.stringify(request.output.schema)}`;
  return [request.instructions, ask].filter(Boolean).join('\n\n');
}
