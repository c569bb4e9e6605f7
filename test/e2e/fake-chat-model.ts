import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletionJson, chatCompletionSse } from '@baton/testing';

interface ChatMessage {
  role: string;
  content?: string | null;
  tool_calls?: unknown[];
}

/**
 * A Chat Completions server for end-to-end runs of the real `openai` SDK inside `baton serve`. It
 * answers like the offline demo model (commands become tool calls, tool results become a reply),
 * deterministically from the request, and can hold a request unanswered so a test can kill the
 * server in the middle of a model call.
 */
export class FakeChatModel {
  readonly requests: { messages: ChatMessage[] }[] = [];
  private server!: Server;
  private holdMatching: ((messages: ChatMessage[]) => boolean) | null = null;
  private heldResolve: (() => void) | null = null;
  private readonly pending = new Set<ServerResponse>();
  baseURL = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseURL = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** The next request for which `match` is true is held unanswered; resolves when it arrives. */
  holdNext(match: (messages: ChatMessage[]) => boolean): Promise<void> {
    this.holdMatching = match;
    return new Promise((resolve) => {
      this.heldResolve = resolve;
    });
  }

  async close(): Promise<void> {
    for (const response of this.pending) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      model: string;
      messages: ChatMessage[];
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    this.requests.push({ messages: body.messages });
    if (this.holdMatching?.(body.messages)) {
      this.holdMatching = null;
      this.pending.add(response);
      this.heldResolve?.();
      return; // never answered: the caller is killed while waiting
    }
    const turn = answer(body.messages);
    if (body.stream === true) {
      // Agents stream by default: answer in the wire form the SDK asked for, in several chunks.
      const frames = chatCompletionSse(turn, body.model, body.stream_options?.include_usage === true);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const frame of frames) response.write(frame);
      response.end();
      return;
    }
    const text = JSON.stringify(chatCompletionJson(turn, body.model));
    response.writeHead(200, { 'content-type': 'application/json' }).end(text);
  }
}

function answer(messages: ChatMessage[]) {
  const last = messages.at(-1)!;
  if (last.role === 'tool') return { text: `Done: ${last.content}`, usage: { input: 50, output: 10 } };
  const text = String(last.content ?? '');
  const [command, ...rest] = text.split(' ');
  const id = `call_${messages.length}`;
  const argument = rest.join(' ');
  if (command === 'note') {
    return {
      toolCalls: [{ id, name: 'add_note', arguments: JSON.stringify({ text: argument }) }],
      usage: { input: 50, output: 10 },
    };
  }
  if (command === 'ticket') {
    return {
      toolCalls: [{ id, name: 'create_ticket', arguments: JSON.stringify({ title: argument }) }],
      usage: { input: 50, output: 10 },
    };
  }
  if (command === 'notes')
    return { toolCalls: [{ id, name: 'list_notes', arguments: '{}' }], usage: { input: 50, output: 10 } };
  return { text: `You said: ${text}`, usage: { input: 50, output: 10 } };
}
