import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useLambdaEmulators } from '../../packages/aws/src/test-support/lambda-emulators.js';
import { holdOpenAiConversation, type OpenAiTranscript } from './openai-conversation.js';
import { type FrontDoorHost, startAzureFrontDoor, startLambdaFrontDoor } from './openai-front-door-hosts.js';

/**
 * The real `openai` SDK holds issue 18's conversation (openai-conversation.ts: a tool call, an
 * approval asked and granted, streamed and not, the session through `GET /sessions/{id}`) with the
 * example agent on the cloud hosts, served over real HTTP as a deployed stack is: on Lambda the
 * buffered requests reach API Gateway's handler and the streamed ones (`stream: true`) the
 * HttpStream Function URL's, on Azure both the catch-all HTTP trigger (event streams chunk by
 * chunk). Sessions in DynamoDB Local and the Cosmos DB API server; run queues on fauxqs and Azurite.
 */
describe('the OpenAI-compatible front door on Lambda and Azure', () => {
  const lambda = useLambdaEmulators('baton-front-door');
  const hosts: Record<string, FrontDoorHost> = {};
  const transcripts: Record<string, OpenAiTranscript> = {};

  beforeAll(async () => {
    hosts.aws = await startLambdaFrontDoor(lambda);
    hosts.azure = await startAzureFrontDoor({ queueConnection: inject('azuriteQueueConnection') });
  });
  afterAll(async () => {
    for (const host of Object.values(hosts)) await host.close();
  });

  for (const name of ['aws', 'azure']) {
    it(`holds the conversation on ${name}, each tool recorded once in the session the conversation names`, async () => {
      const host = hosts[name]!;
      const transcript = await holdOpenAiConversation(host);
      transcripts[name] = transcript;
      const events = await host.store.readEvents({ tenant: 'acme', sessionId: transcript.sessionId });
      const results = events.filter((event) => event.kind === 'tool_result').map((event) => event.name);
      expect(results).toEqual(['add_note', 'send_email']);
      expect(events.filter((event) => event.kind === 'input')).toHaveLength(3);
      expect(events.filter((event) => event.kind === 'decision')).toHaveLength(1);
    }, 120_000);
  }

  it('sends the buffered requests through API Gateway and the streamed ones through the Function URL on AWS', () => {
    const { sessionId, responses } = transcripts.aws!;
    expect(hosts.aws!.invocations).toEqual({
      apiGateway: [
        'POST /v1/responses',
        `GET /sessions/${sessionId}`,
        'POST /v1/responses',
        `GET /sessions/${sessionId}`,
        `GET /v1/responses/${responses[2]!.id}`,
      ],
      functionUrl: ['POST /v1/responses', 'POST /v1/responses'],
    });
    // API Gateway's 29 s leave no room for a model call (60 s reserved): each buffered request's
    // run goes to the worker ('continue') while the invocation follows the log to the answer. The
    // Function URL's 300 s, and Azure's 230 s, run every turn inline; an approval's own run
    // message ('decision', visible at once or a moment later) finds the run done.
    const reasons = (host: string) => hosts[host]!.workerMessages.filter((reason) => reason !== 'decision');
    expect(reasons('aws')).toEqual(['continue', 'continue']);
    expect(reasons('azure')).toEqual([]);
    for (const host of ['aws', 'azure'])
      expect(hosts[host]!.workerMessages.length - reasons(host).length).toBeLessThanOrEqual(1);
  });

  it('passes each streamed response on in many chunks (one per event written), not one buffered body', () => {
    // The Function URL took only the two streamed requests; on Azure they are the 2nd and 4th.
    const azure = hosts.azure!.chunks;
    const streamed = { aws: hosts.aws!.chunks, azure: [azure[1], azure[3]] };
    for (const [name, chunks] of Object.entries(streamed)) {
      expect(chunks, name).toHaveLength(2);
      for (const count of chunks) expect(count, name).toBeGreaterThan(1);
    }
    // The other answers go out whole: one chunk each.
    expect([azure[0], azure[2], ...azure.slice(4)]).toEqual([1, 1, 1, 1, 1]);
  });
});
