import type { Model, ModelRequest, ModelResponse, ToolCall } from '@baton/core';

/**
 * A deterministic stand-in for a real model, used when no provider is configured: it understands a
 * few commands so every tool of the example agent can be tried offline.
 *
 *   note <text>                      -> add_note
 *   notes                            -> list_notes
 *   email <to> <subject>             -> send_email (waits for approval)
 *   ticket <title>                   -> create_ticket
 *   anything else                    -> a plain reply
 */
export function offlineDemoModel(): Model {
  return {
    provider: 'offline-demo',
    modelId: 'offline-demo-1',
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const last = request.messages.at(-1);
      const usage = { inputTokens: estimateTokens(request), outputTokens: 12 };
      if (last?.role === 'tool') {
        const results = trailingToolResults(request);
        const text = results.map((result) => `${result.name}: ${result.content}`).join('\n');
        return { text: `Done.\n${text}`, toolCalls: [], usage, stopReason: 'end', model: 'offline-demo-1' };
      }
      const text = last?.role === 'user' ? last.content.trim() : '';
      // Deterministic ids: a step repeated after a crash asks for the same call again.
      const call = commandToCall(text, `call_${request.messages.length}`);
      if (call)
        return { text: '', toolCalls: [call], usage, stopReason: 'tool_calls', model: 'offline-demo-1' };
      return {
        text: `(offline demo model) You said: ${text}. Try "note buy milk", "notes", "email bob@example.com Hello" or "ticket Printer jam".`,
        toolCalls: [],
        usage,
        stopReason: 'end',
        model: 'offline-demo-1',
      };
    },
  };
}

function commandToCall(text: string, callId: string): ToolCall | null {
  const [command, ...rest] = text.split(/\s+/);
  const argument = rest.join(' ');
  switch (command?.toLowerCase()) {
    case 'note':
      return argument ? { callId, name: 'add_note', arguments: JSON.stringify({ text: argument }) } : null;
    case 'notes':
      return { callId, name: 'list_notes', arguments: '{}' };
    case 'email': {
      const [to, ...subject] = rest;
      if (!to) return null;
      const title = subject.join(' ') || '(no subject)';
      return { callId, name: 'send_email', arguments: JSON.stringify({ to, subject: title, body: title }) };
    }
    case 'ticket':
      return argument
        ? { callId, name: 'create_ticket', arguments: JSON.stringify({ title: argument }) }
        : null;
    default:
      return null;
  }
}

function trailingToolResults(request: ModelRequest): { name: string; content: string }[] {
  const results: { name: string; content: string }[] = [];
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i]!;
    if (message.role !== 'tool') break;
    results.unshift({ name: message.name, content: message.content });
  }
  return results;
}

function estimateTokens(request: ModelRequest): number {
  const chars = request.instructions.length + request.messages.reduce((sum, m) => sum + m.content.length, 0);
  return Math.ceil(chars / 4);
}
