import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsFacts, awsFacts } from './aws-facts.js';
import { mismatchesOf, recordAws, useBundleDir } from './aws-recording.js';
import { bundleFolder, INFRA_DIR, mismatchedCopy, removeCopies } from './infra-copy.js';
import { callsOf, referencePath } from './recording.js';

const JWT = { jwt: { issuer: 'https://issuer.example.com/', audience: ['baton-api'] } };

/** Each route key the recording declares, with the authorizer reference it names (or null). */
function guards(recording: Awaited<ReturnType<typeof recordAws>>): Record<string, string | null> {
  return Object.fromEntries(
    callsOf(recording, /\.route$/).map((call) => {
      const [key, , args] = call.args as [string, unknown, { auth?: { jwt?: { authorizer: unknown } } }?];
      return [key, args?.auth?.jwt ? (referencePath(args.auth.jwt.authorizer) ?? 'plain value') : null];
    }),
  );
}

describe('infra/aws.ts authentication', () => {
  let facts: AwsFacts;
  afterAll(removeCopies);
  beforeAll(async () => {
    const bundleDir = bundleFolder(['http.mjs', 'worker.mjs', 'sweeper.mjs']);
    useBundleDir(bundleDir);
    facts = await awsFacts(bundleDir);
  });

  it('puts every route core guards behind the JWT authorizer and leaves Slack and /healthz open', async () => {
    const recording = await recordAws(INFRA_DIR, { auth: JWT });
    const [authorizer, ...more] = callsOf(recording, /\.addAuthorizer$/);
    expect(more).toEqual([]);
    expect(authorizer?.args).toEqual([
      { name: 'Jwt', jwt: { issuer: 'https://issuer.example.com/', audiences: ['baton-api'] } },
    ]);
    const id = `${authorizer?.target}().id`;
    expect(guards(recording)).toEqual({
      'GET /healthz': null,
      'GET /sessions': id,
      'GET /sessions/{sessionId}': id,
      'DELETE /sessions/{sessionId}': id,
      'GET /sessions/{sessionId}/events': id,
      'POST /sessions/{sessionId}/messages': id,
      'POST /sessions/{sessionId}/approvals/{callId}': id,
      'POST /sessions/{sessionId}/schedules': id,
      'GET /sessions/{sessionId}/schedules': id,
      'DELETE /sessions/{sessionId}/schedules/{scheduleId}': id,
      'POST /sessions/{sessionId}/webhooks': id,
      'GET /sessions/{sessionId}/webhooks': id,
      'POST /sessions/{sessionId}/cancel': id,
      'POST /v1/responses': id,
      'GET /v1/responses/{responseId}': id,
      'POST /v1/chat/completions': id,
      'GET /v1/models': id,
      'POST /slack/events': null,
      'POST /slack/interactivity': null,
      'POST /slack/commands': null,
    });
    expect(await mismatchesOf(INFRA_DIR, facts, JWT)).toEqual([]);
  });

  it('declares no authorizer and guards no route when API keys alone authenticate (they live in the table)', async () => {
    const recording = await recordAws(INFRA_DIR);
    expect(callsOf(recording, /\.addAuthorizer$/)).toEqual([]);
    expect(Object.values(guards(recording)).every((guard) => guard === null)).toBe(true);
  });

  it('reports a route core serves that a copy leaves off API Gateway (a deployed stack would answer 404)', async () => {
    const dir = mismatchedCopy('aws.ts', "  'POST /sessions/{sessionId}/cancel',\n", '');
    expect(await mismatchesOf(dir, facts)).toEqual([
      "core's route POST /sessions/{id}/cancel is not declared on API Gateway, so a deployed stack answers it 404",
    ]);
  });

  it('reports an OpenAI-compatible route a copy leaves off API Gateway', async () => {
    const dir = mismatchedCopy('aws.ts', "  'POST /v1/responses',\n", '');
    expect(await mismatchesOf(dir, facts)).toEqual([
      "core's route POST /v1/responses is not declared on API Gateway, so a deployed stack answers it 404",
    ]);
  });

  it('reports a /v1 route the HTTP handler does not serve when a copy declares one', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      "  'GET /v1/models',\n",
      "  'GET /v1/models',\n  'GET /v1/files',\n",
    );
    expect(await mismatchesOf(dir, facts)).toEqual([
      'route GET /v1/files is not one the HTTP handler serves',
    ]);
  });

  it('reports a route left outside the authorizer when a copy skips one', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      'const guarded = authorizer && !PUBLIC_ROUTES.includes(route);',
      "const guarded = authorizer && !PUBLIC_ROUTES.includes(route) && !route.startsWith('DELETE');",
    );
    expect(await mismatchesOf(dir, facts, JWT)).toEqual([
      'route DELETE /sessions/{sessionId} is not behind the JWT authorizer',
      'route DELETE /sessions/{sessionId}/schedules/{scheduleId} is not behind the JWT authorizer',
    ]);
  });

  it("reports Slack's routes behind the authorizer when a copy guards them too", async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      'for (const route of SLACK_ROUTES) api.route(route, http.arn);',
      'for (const route of SLACK_ROUTES)\n    api.route(route, http.arn, authorizer ? { auth: { jwt: { authorizer: authorizer.id } } } : {});',
    );
    expect(await mismatchesOf(dir, facts, JWT)).toContainEqual(
      'route POST /slack/events requires a JWT, which its callers cannot send',
    );
  });

  it('reports the health check behind the authorizer when a copy forgets it is public', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      "PUBLIC_ROUTES: readonly string[] = ['GET /healthz'];",
      'PUBLIC_ROUTES: readonly string[] = [];',
    );
    expect(await mismatchesOf(dir, facts, JWT)).toEqual([
      'route GET /healthz requires a JWT, which its callers cannot send',
    ]);
  });

  it('stops with one line when the JWT options name no issuer or no audience', async () => {
    await expect(recordAws(INFRA_DIR, { auth: { jwt: { issuer: '', audience: ['a'] } } })).rejects.toThrow(
      'auth.jwt needs an issuer and at least one audience',
    );
    await expect(
      recordAws(INFRA_DIR, { auth: { jwt: { issuer: 'https://issuer.example.com/', audience: [] } } }),
    ).rejects.toThrow('auth.jwt needs an issuer and at least one audience');
  });
});
