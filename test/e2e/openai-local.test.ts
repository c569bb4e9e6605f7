import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, holdOpenAiConversation } from './openai-conversation.js';
import { type OpenAiLocalApp, startOpenAiLocalApp } from './openai-local-app.js';

let local: OpenAiLocalApp;

beforeAll(async () => {
  local = await startOpenAiLocalApp();
});

afterAll(async () => {
  await local?.stop();
});

/** The inputs a session recorded, from its events. */
async function inputs(sessionId: string): Promise<string[]> {
  const response = await local.fetch(`/sessions/${sessionId}/events?after=0`);
  const page = (await response.json()) as { events: { kind: string; text?: string }[] };
  return page.events.filter((event) => event.kind === 'input').map((event) => event.text ?? '');
}

describe('the OpenAI-compatible API on the local server (the real openai SDK, SQLite)', () => {
  it('holds a multi-turn conversation through /v1/responses, streamed and not, with a tool call and an approval', async () => {
    const transcript = await holdOpenAiConversation({
      client: local.client(),
      session: (id) => local.session(id),
    });
    expect(transcript.responses).toHaveLength(4);
    expect(await inputs(transcript.sessionId)).toEqual(['note buy milk', 'email bob@example.com', 'thanks']);
    // A finished response streamed again (the SDK's responses.stream({ response_id })): the same response.
    const approved = transcript.responses[2]!;
    const again = local.client().responses.stream({ response_id: approved.id });
    for await (const _ of again) {
      // drained
    }
    expect(await again.finalResponse()).toMatchObject({ id: approved.id, output_text: approved.output_text });
  });

  it('lists the agents as models', async () => {
    const models = await local.client().models.list();
    expect(models.data.map((model) => model.id)).toEqual([AGENT]);
  });

  it('answers Chat Completions, streamed and not, recording only the new user message of the history sent', async () => {
    const client = local.client('full', { defaultHeaders: { 'Baton-Session': 'chat-1' } });
    const history: { role: 'user' | 'assistant'; content: string }[] = [{ role: 'user', content: 'hello' }];
    const first = await client.chat.completions.create({ model: AGENT, messages: history });
    expect(first.object).toBe('chat.completion');
    expect(first.choices[0]!.message.content).toBe('You said: hello (message 1 of this conversation)');
    expect(first.usage!.total_tokens).toBeGreaterThan(0);
    history.push(
      { role: 'assistant', content: first.choices[0]!.message.content! },
      { role: 'user', content: 'note call mom' },
    );

    const stream = await client.chat.completions.create({
      model: AGENT,
      messages: history,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('Writing it down. Done: add_note went through.');
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(
      chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean),
    ).toEqual(['stop']);
    expect(chunks.at(-1)!.usage!.total_tokens).toBeGreaterThan(0);
    history.push({ role: 'assistant', content }, { role: 'user', content: 'thanks' });

    const third = await client.chat.completions.create({ model: AGENT, messages: history });
    expect(third.choices[0]!.message.content).toBe('You said: thanks (message 3 of this conversation)');
    // An SDK retry sends the same history: the same turn, not a fourth input.
    const retried = await client.chat.completions.create({ model: AGENT, messages: history });
    expect(retried.id).toBe(third.id);
    expect(await inputs('chat-1')).toEqual(['hello', 'note call mom', 'thanks']);
    expect((await local.session('chat-1')).toolState).toMatchObject({ notes: ['call mom'] });
    // The SDK's stream helper assembles the chunks into a completion.
    history.push(
      { role: 'assistant', content: third.choices[0]!.message.content! },
      { role: 'user', content: 'bye' },
    );
    const runner = client.chat.completions.stream({ model: AGENT, messages: history });
    const assembled = await runner.finalChatCompletion();
    expect(assembled.choices[0]!.message).toMatchObject({
      role: 'assistant',
      content: 'You said: bye (message 4 of this conversation)',
    });
  });

  it('starts a new session for a chat without a Baton-Session and names it in the answer header', async () => {
    const { data, response } = await local
      .client()
      .chat.completions.create({ model: AGENT, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const sessionId = response.headers.get('baton-session')!;
    expect(sessionId).toMatch(/^conv_/);
    expect(data.choices[0]!.message.content).toBe('You said: hi (message 1 of this conversation)');
    expect((await local.session(sessionId)).lastReply).toBe(data.choices[0]!.message.content);
  });

  it('tells a chat client about a call waiting for approval', async () => {
    const client = local.client('full', { defaultHeaders: { 'Baton-Session': 'chat-approval' } });
    const answer = await client.chat.completions.create({
      model: AGENT,
      messages: [{ role: 'user', content: 'email ann@example.com' }],
    });
    expect(answer.choices[0]!.message.content).toContain('[Waiting for approval: send_email');
    const extra = (answer as unknown as { baton: { status: string; pending_approvals: { name: string }[] } })
      .baton;
    expect(extra.pending_approvals.map((call) => call.name)).toEqual(['send_email']);
    expect((await local.session('chat-approval')).status).toBe('waiting_approval');
  });

  it("maps a json_schema text.format (and response_format) to the run's output schema: the answer is the JSON", async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string' } },
      required: ['answer'],
      additionalProperties: false,
    };
    const response = await local.client().responses.create({
      model: AGENT,
      input: 'structured please',
      text: { format: { type: 'json_schema', name: 'reply', schema, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ answer: 'structured please' });
    const chat = await local.client().chat.completions.create({
      model: AGENT,
      messages: [{ role: 'user', content: 'as json' }],
      response_format: { type: 'json_schema', json_schema: { name: 'reply', schema } },
    });
    expect(JSON.parse(chat.choices[0]!.message.content!)).toEqual({ answer: 'as json' });
    const refused = local.client().responses.create({
      model: AGENT,
      input: 'x',
      text: { format: { type: 'json_schema', name: 'reply', schema: 'nope' as never } },
    });
    await expect(refused).rejects.toMatchObject({ status: 400, param: 'text.format.schema' });
  });
});
