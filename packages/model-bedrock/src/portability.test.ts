import type { Model } from '@baton/core';
import {
  type BedrockAgentFake,
  type BedrockConverseFake,
  portableRequest,
  startBedrockAgentFake,
  startBedrockConverseFake,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockConverseModel } from './converse-model.js';
import { bedrockInlineAgentModel } from './inline-agent-model.js';

let converseFake: BedrockConverseFake;
let agentFake: BedrockAgentFake;
beforeAll(async () => {
  converseFake = await startBedrockConverseFake();
  agentFake = await startBedrockAgentFake();
});
afterAll(async () => {
  await Promise.all([converseFake.close(), agentFake.close()]);
});

const credentials = { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' };

describe('Bedrock adapters with a provider-neutral history', () => {
  it('Converse accepts the history with tool results paired to their tool uses', async () => {
    converseFake.enqueue({ text: 'Oslo is warmer today.' });
    const model: Model = bedrockConverseModel({
      modelId: 'amazon.nova-lite-v1:0',
      clientConfig: { endpoint: converseFake.url, region: 'us-east-1', credentials },
    });

    expect((await model.generate(portableRequest())).text).toBe('Oslo is warmer today.');
    const { messages } = converseFake.requests[0]!.body as {
      messages: Array<{
        role: string;
        content: Array<Record<string, { toolUseId?: string; content?: unknown }>>;
      }>;
    };
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    const uses = messages[1]!.content.flatMap((block) => (block.toolUse ? [block.toolUse.toolUseId] : []));
    const results = messages[2]!.content.flatMap((block) =>
      block.toolResult ? [block.toolResult.toolUseId] : [],
    );
    expect(uses).toEqual(['call_oslo', 'call_bergen']);
    expect(results).toEqual(['call_oslo', 'call_bergen']);
  });

  it('InvokeInlineAgent accepts the history by carrying it as text when the session never saw it', async () => {
    agentFake.enqueue({ text: 'Oslo is warmer today.' });
    const model: Model = bedrockInlineAgentModel({
      foundationModel: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      clientConfig: { endpoint: agentFake.url, region: 'us-east-1', credentials },
    });

    expect((await model.generate(portableRequest())).text).toBe('Oslo is warmer today.');
    const body = agentFake.requests[0]!.body as {
      inputText: string;
      inlineSessionState: {
        conversationHistory: { messages: Array<{ role: string; content: Array<{ text: string }> }> };
      };
    };
    // Everything after the last assistant turn is the new input; the rest is history it never saw.
    expect(body.inputText).toBe(
      [
        '[result of get_weather (call_oslo): {"tempC":4,"sky":"rain"}]',
        '[error from get_weather (call_bergen): (no output)]',
        'Thanks. Which city is warmer?',
      ].join('\n\n'),
    );
    const history = body.inlineSessionState.conversationHistory.messages;
    expect(history.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(history[1]!.content[0]!.text).toBe(
      [
        'Let me check both cities.',
        '[called get_weather (call_oslo) with {"city":"Oslo","days":1}]',
        '[called get_weather (call_bergen) with {"city":"Bergen","days":1}]',
      ].join('\n'),
    );
  });
});
