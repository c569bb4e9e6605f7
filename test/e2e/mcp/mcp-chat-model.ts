import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletionJson, chatCompletionSse } from '@baton/testing';

interface ChatMessage {
  role: string;
  content?: string | null;
}

/**
 * A Chat Completions server for `baton serve` runs of the real `openai` SDK: a user message
 * `call [{"name": ..., "args": {...}}, ...]` becomes those tool calls in one response; after tool
 * results it answers `Done: <results>`; anything else is echoed.
 */
export class McpChatModel {
  private server!: Server;
  private calls = 0;
  baseURL = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseURL = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async close(): Promise<void> {
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
    const turn = this.answer(body.messages);
    if (body.stream === true) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const frame of chatCompletionSse(turn, body.model, body.stream_options?.include_usage === true)) {
        response.write(frame);
      }
      response.end();
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(chatCompletionJson(turn, body.model)));
  }

  private answer(messages: ChatMessage[]) {
    const usage = { input: 50, output: 10 };
    const last = messages.at(-1)!;
    if (last.role === 'tool') {
      const results = [];
      for (let i = messages.length - 1; i >= 0 && messages[i]!.role === 'tool'; i--) {
        results.unshift(messages[i]!.content);
      }
      return { text: `Done: ${results.join(' | ')}`, usage };
    }
    const text = String(last.content ?? '');
    if (!text.startsWith('call ')) return { text: `You said: ${text}`, usage };
    const calls = JSON.parse(text.slice('call '.length)) as { name: string; args: unknown }[];
    return {
      toolCalls: calls.map((call) => ({
        id: `call_${++this.calls}`,
        name: call.name,
        arguments: JSON.stringify(call.args),
      })),
      usage,
    };
  }
}
