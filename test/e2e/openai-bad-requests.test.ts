import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT } from './openai-conversation.js';
import { type OpenAiLocalApp, startOpenAiLocalApp } from './openai-local-app.js';

let local: OpenAiLocalApp;

beforeAll(async () => {
  local = await startOpenAiLocalApp();
});

afterAll(async () => {
  await local?.stop();
});

/** The error a call throws, checked to be the SDK's class for the status, with OpenAI's body shape. */
async function failure(
  call: Promise<unknown>,
  status: number,
): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => {
      throw new Error(`expected a ${status}`);
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  const api = error as InstanceType<typeof OpenAI.APIError>;
  expect(api.status).toBe(status);
  expect(api.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
  expect(api.error).toHaveProperty('param');
  expect(api.error).toHaveProperty('code');
  return api;
}

async function inputCount(sessionId: string): Promise<number> {
  const page = (await (await local.fetch(`/sessions/${sessionId}/events?after=0`)).json()) as {
    events: { kind: string }[];
  };
  return page.events.filter((event) => event.kind === 'input').length;
}

describe('POST /v1/responses refuses bad requests in OpenAI error shape, writing nothing', () => {
  it('unauthenticated: 401 AuthenticationError', async () => {
    const error = await failure(
      local.client('bt_not_a_key').responses.create({ model: AGENT, input: 'hi' }),
      401,
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.type).toBe('authentication_error');
    await failure(local.client('bt_not_a_key').models.list(), 401);
  });

  it('a key without the send scope: 403 PermissionDeniedError', async () => {
    const call = local.client('readOnly').responses.create({ model: AGENT, input: 'hi' });
    expect(await failure(call, 403)).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it('an unknown model (agent): 404 NotFoundError model_not_found on param model', async () => {
    const error = await failure(local.client().responses.create({ model: 'gpt-4o', input: 'hi' }), 404);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('malformed input: 400 BadRequestError naming the field', async () => {
    const client = local.client();
    const cases: [Record<string, unknown>, string][] = [
      [{ model: AGENT, input: 42 }, 'input'],
      [
        { model: AGENT, input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'x' }] }] },
        'input[0].content[0]',
      ],
      [{ model: AGENT, input: [{ type: 'function_call_output', call_id: 'c', output: 'x' }] }, 'input[0]'],
      [{ model: AGENT, input: 'hi', conversation: 'c1', previous_response_id: 'resp_1' }, 'conversation'],
      [
        {
          model: AGENT,
          input: [{ type: 'mcp_approval_response', approval_request_id: 'mcpr_x', approve: true }],
        },
        'previous_response_id',
      ],
      [{ model: AGENT, input: '' }, 'input'],
      [{ input: 'hi' }, 'model'],
    ];
    for (const [body, param] of cases) {
      const error = await failure(client.responses.create(body as never), 400);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe(param);
    }
    const raw = await local.fetch('/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('an oversized body: 413 before anything is read', async () => {
    const call = local.client().responses.create({ model: AGENT, input: 'x'.repeat(400 * 1024) });
    await failure(call, 413);
  });

  it("an unknown or another tenant's response id: 404 on previous_response_id and on GET", async () => {
    const mine = await local.client().responses.create({ model: AGENT, input: 'hello' });
    const theirs = local.client('other');
    const cases = ['resp_nope', 'resp_999_00000000_eA', mine.id];
    for (const id of cases) {
      const error = await failure(
        theirs.responses.create({ model: AGENT, input: 'hi', previous_response_id: id }),
        404,
      );
      expect(error.param).toBe('previous_response_id');
      await failure(theirs.responses.retrieve(id), 404);
    }
    // A position that is no response (the seq of its reply) is unknown too.
    await failure(local.client().responses.retrieve(mine.id.replace(/^resp_\d+/, 'resp_2')), 404);
    expect((await local.client().responses.retrieve(mine.id)).output_text).toBe(mine.output_text);
  });

  it('an approval by a caller without approve: 403, the call still waiting', async () => {
    const asking = await local.client().responses.create({ model: AGENT, input: 'email eve@example.com' });
    const request = asking.output.find((item) => item.type === 'mcp_approval_request')!;
    const call = local.client('sendOnly').responses.create({
      model: AGENT,
      previous_response_id: asking.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
    });
    await failure(call, 403);
    expect((await local.session(asking.conversation!.id)).pendingApprovals).toHaveLength(1);
    // Decided by an approver, then sent again (an SDK retry): one decision, the same response.
    const approval = {
      model: AGENT,
      previous_response_id: asking.id,
      input: [{ type: 'mcp_approval_response' as const, approval_request_id: request.id, approve: true }],
    };
    const approved = await local.client().responses.create(approval);
    const replayed = await local.client().responses.create(approval);
    expect(replayed.id).toBe(approved.id);
    expect(replayed.output_text).toBe('Done: send_email went through.');
    const events = (await (
      await local.fetch(`/sessions/${asking.conversation!.id}/events?after=0`)
    ).json()) as {
      events: { kind: string }[];
    };
    expect(events.events.filter((event) => event.kind === 'decision')).toHaveLength(1);
    const changed = local.client().responses.create({
      ...approval,
      input: [{ ...approval.input[0]!, approve: false }],
    });
    expect(await failure(changed, 409)).toBeInstanceOf(OpenAI.ConflictError);
    const unknown = local.client().responses.create({
      ...approval,
      input: [{ ...approval.input[0]!, approval_request_id: 'mcpr_nope' }],
    });
    expect((await failure(unknown, 404)).code).toBe('no_pending_approval');
  });

  it('replayed inputs: an Idempotency-Key or the same continuation sent again is one input; a key reused for another input is 422', async () => {
    const client = local.client();
    const key = { headers: { 'Idempotency-Key': 'k-1' } };
    const first = await client.responses.create({ model: AGENT, input: 'once' }, key);
    const again = await client.responses.create({ model: AGENT, input: 'once' }, key);
    expect(again.id).toBe(first.id);
    const sessionId = first.conversation!.id;
    expect(await inputCount(sessionId)).toBe(1);
    const reused = client.responses.create({ model: AGENT, input: 'other', conversation: sessionId }, key);
    expect(await failure(reused, 422)).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    const next = await client.responses.create({
      model: AGENT,
      input: 'twice',
      previous_response_id: first.id,
    });
    const retried = await client.responses.create({
      model: AGENT,
      input: 'twice',
      previous_response_id: first.id,
    });
    expect(retried.id).toBe(next.id);
    expect(await inputCount(sessionId)).toBe(2);
  });
});

describe('POST /v1/chat/completions refuses bad requests', () => {
  it('messages that are missing, malformed or not ending with user text: 400; an unknown model: 404; no key: 401', async () => {
    const client = local.client();
    const bad: [unknown, string][] = [
      [undefined, 'messages'],
      [[], 'messages'],
      [
        [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
        'messages',
      ],
      [
        [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
        'messages[0].content[0]',
      ],
      [['hi'], 'messages[0]'],
    ];
    for (const [messages, param] of bad) {
      const error = await failure(client.chat.completions.create({ model: AGENT, messages } as never), 400);
      expect(error.param).toBe(param);
    }
    const unknown = client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect((await failure(unknown, 404)).code).toBe('model_not_found');
    const anonymous = local
      .client('bt_nope')
      .chat.completions.create({ model: AGENT, messages: [{ role: 'user', content: 'hi' }] });
    await failure(anonymous, 401);
    const readOnly = local
      .client('readOnly')
      .chat.completions.create({ model: AGENT, messages: [{ role: 'user', content: 'hi' }] });
    await failure(readOnly, 403);
  });
});

describe('GET /v1/models', () => {
  it('needs read: a key with it lists the agents', async () => {
    expect((await local.client('readOnly').models.list()).data.map((model) => model.id)).toEqual([AGENT]);
  });
});
