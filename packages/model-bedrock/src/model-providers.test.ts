import { ConfigurationError, type Environment, ModelRegistry, type ModelRequest } from '@baton/core';
import {
  type BedrockAgentFake,
  type BedrockConverseFake,
  startBedrockAgentFake,
  startBedrockConverseFake,
} from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelProviders } from './model-providers.js';

const NOVA = 'us.amazon.nova-pro-v1:0';
const HAIKU = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDFAKEFAKEFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret' };

let converse: BedrockConverseFake;
let agents: BedrockAgentFake;
beforeEach(async () => {
  [converse, agents] = await Promise.all([startBedrockConverseFake(), startBedrockAgentFake()]);
});
afterEach(async () => {
  await Promise.all([converse.close(), agents.close()]);
});

const request: ModelRequest = {
  instructions: 'Be brief.',
  messages: [{ role: 'user', content: 'Hi' }],
  tools: [],
  sessionKey: 'tenant/session-1',
};

function provider(id: string) {
  const found = modelProviders.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no provider ${id}`);
  return found;
}

describe('modelProviders', () => {
  it('serves bedrock and bedrock-agent with specification v1', () => {
    expect(modelProviders.map((candidate) => [candidate.id, candidate.specificationVersion])).toEqual([
      ['bedrock', 'v1'],
      ['bedrock-agent', 'v1'],
    ]);
  });
});

describe('bedrock provider', () => {
  it('calls Converse signed with the keys when the environment is complete', async () => {
    converse.enqueue({ text: 'Hello from Nova.' });
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: converse.url, ...KEYS };

    const model = provider('bedrock').create(NOVA, env);
    const response = await model.generate(request);

    expect(response.text).toBe('Hello from Nova.');
    expect(model).toMatchObject({ provider: 'bedrock', modelId: NOVA });
    const sent = converse.requests[0]!;
    expect(converse.routeOf(sent)).toEqual({ modelId: NOVA, stream: false });
    expect(sent.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEFAKEFAKE\//);
    expect(provider('bedrock').description(NOVA, env)).toBe(
      `${NOVA} on Amazon Bedrock in us-east-1 at ${converse.url} (Converse API, AWS credentials)`,
    );
  });

  it('sends the Bedrock API key as a bearer token when AWS_BEARER_TOKEN_BEDROCK is set', async () => {
    converse.enqueue({ text: 'ok' });
    const env = {
      AWS_DEFAULT_REGION: 'eu-central-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: converse.url,
      AWS_BEARER_TOKEN_BEDROCK: 'bedrock-key',
    };

    await provider('bedrock').create(NOVA, env).generate(request);

    expect(converse.requests[0]!.headers.authorization).toBe('Bearer bedrock-key');
    expect(provider('bedrock').description(NOVA, env)).toContain('(Converse API, Bedrock API key)');
  });
});

describe('bedrock-agent provider', () => {
  it('calls InvokeInlineAgent with the foundation model when the environment is complete', async () => {
    agents.enqueue({ text: 'Hello from the agent.' });
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: agents.url, ...KEYS };

    const model = provider('bedrock-agent').create(HAIKU, env);
    const response = await model.generate(request);

    expect(response.text).toBe('Hello from the agent.');
    expect(model).toMatchObject({ provider: 'bedrock-agent', modelId: HAIKU });
    expect(agents.requests[0]!.body).toMatchObject({ foundationModel: HAIKU });
    expect(provider('bedrock-agent').description(HAIKU, env)).toBe(
      `${HAIKU} through Bedrock Agents in us-east-1 at ${agents.url} (InvokeInlineAgent, return of control)`,
    );
  });
});

describe('a missing or malformed setting', () => {
  const region = { AWS_REGION: 'us-east-1' };
  it.each<[string, string | undefined, Environment, string]>([
    ['bedrock', undefined, region, 'BATON_MODEL'],
    ['bedrock', NOVA, {}, 'AWS_REGION'],
    ['bedrock', NOVA, { AWS_REGION: 'us east 1' }, 'AWS_REGION'],
    [
      'bedrock',
      NOVA,
      { ...region, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'vpce-123' },
      'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
    ],
    ['bedrock', NOVA, { ...region, AWS_ACCESS_KEY_ID: 'AKID' }, 'AWS_SECRET_ACCESS_KEY'],
    ['bedrock', NOVA, { ...region, AWS_SECRET_ACCESS_KEY: 'secret' }, 'AWS_ACCESS_KEY_ID'],
    ['bedrock-agent', undefined, region, 'BATON_MODEL'],
    ['bedrock-agent', HAIKU, {}, 'AWS_REGION'],
    [
      'bedrock-agent',
      HAIKU,
      { ...region, AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: 'ftp://example.com' },
      'AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME',
    ],
  ])('stops %s with a one-line ConfigurationError naming the setting (%#: %s)', (id, modelId, env, name) => {
    let thrown: unknown;
    try {
      provider(id).create(modelId, env);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ConfigurationError);
    const { message } = thrown as ConfigurationError;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
    expect(provider(id).description(modelId, env)).toBe(`not configured: ${message}`);
  });

  it('tells bedrock without a model which setting to add', () => {
    expect(() => provider('bedrock').create(undefined, { AWS_REGION: 'us-east-1' })).toThrow(
      /^bedrock needs BATON_MODEL \(or a model name "bedrock:<model id>"\) — a Bedrock model id or inference profile, e\.g\. us\.amazon\.nova-pro-v1:0$/,
    );
  });
});

describe('ModelRegistry with the Bedrock providers', () => {
  it("serves the agent's bedrock model and the environment's bedrock-agent model", async () => {
    converse.enqueue({ text: 'from Converse' });
    agents.enqueue({ text: 'from the agent' });
    const registry = new ModelRegistry(modelProviders, {
      BATON_MODEL: `bedrock-agent:${HAIKU}`,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: converse.url,
      AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: agents.url,
      ...KEYS,
    });

    const named = registry.resolve(`bedrock:${NOVA}`);
    const fromEnvironment = registry.resolve(undefined);

    expect((await named.model.generate(request)).text).toBe('from Converse');
    expect((await fromEnvironment.model.generate(request)).text).toBe('from the agent');
    expect(named.model).toMatchObject({ provider: 'bedrock', modelId: NOVA });
    expect(fromEnvironment.model).toMatchObject({ provider: 'bedrock-agent', modelId: HAIKU });
  });
});
