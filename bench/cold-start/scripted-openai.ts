import { type OpenAIFake, startOpenAIFake } from '@baton/testing';
import { callId, REPLY_TEXT, TOOL_ARGUMENTS, TOOL_NAME } from '../conversation.js';

/**
 * A local server speaking OpenAI's wire protocol (Responses and Chat Completions, from
 * @baton/testing) that answers every cold-start process with the benchmark's tool turn: a request
 * whose last item is the user's message gets one call of the tool, any other (the tool's result
 * came back) gets the reply. Stateless, so one fake serves every process and every run.
 *
 * @example
 * const openai = await startScriptedOpenAI();
 * spawn('node', [bundle], { env: { OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: openai.baseURL } });
 */
export async function startScriptedOpenAI(): Promise<OpenAIFake> {
  const fake = await startOpenAIFake();
  fake.script.respondWith((request) => {
    const body = request.body as { input?: string | { role?: string }[]; messages?: { role?: string }[] };
    // Responses' input may be the user's text alone.
    const input = typeof body.input === 'string' ? [{ role: 'user' }] : body.input;
    const last = (input ?? body.messages ?? []).at(-1);
    const usage = { input: 400, output: 80 };
    return last?.role === 'user'
      ? { toolCalls: [{ id: callId(2), name: TOOL_NAME, arguments: TOOL_ARGUMENTS }], usage }
      : { text: REPLY_TEXT, usage };
  });
  return fake;
}
