import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SqsEmulator, startSqsEmulator } from '../../packages/aws/src/test-support/sqs-emulator.js';
import { runOnAws } from './cross-host-aws.js';
import { runOnAzure } from './cross-host-azure.js';
import {
  APPROVAL_REASON,
  APPROVER,
  FINAL_REPLY,
  type HostRun,
  IDEMPOTENCY_KEY,
} from './cross-host-conversation.js';
import { runLocally } from './cross-host-local.js';
import { callKeysAsPositions, continuations, finalSession, transcript } from './cross-host-transcript.js';

/**
 * One scripted conversation (a state-writing tool, an at-most-once tool, an approval given over
 * HTTP, five model calls) run three ways: under `npm start`'s local app in one long run, on
 * Lambda + DynamoDB Local + fauxqs and on Azure Functions + the Cosmos DB server + Azurite, where
 * short budgets cut the run into several worker invocations (cross-host-timing.ts). Each host's
 * result is read back through its own HTTP routes; what may differ between them is listed in
 * cross-host-transcript.ts.
 */
describe('the same conversation on every host', () => {
  let sqs: SqsEmulator;
  let dynamodb: DynamoDBClient;
  let local: HostRun;
  let aws: HostRun;
  let azure: HostRun;

  beforeAll(async () => {
    sqs = await startSqsEmulator();
    dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // One after another: a host that fails stops the others instead of leaving them half-run.
    local = await runLocally();
    aws = await runOnAws(sqs, dynamodb);
    azure = await runOnAzure({
      queueConnection: inject('azuriteQueueConnection'),
      cosmosEndpoint: inject('cosmosEndpoint'),
      cosmosKey: inject('cosmosKey'),
    });
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await sqs?.stop();
  });

  it('runs every kind of tool and ends with the reply when the approval is given over HTTP', () => {
    expect(local.events.map((event) => event.kind)).toEqual([
      'input',
      'model_response', // add_note
      'tool_result',
      'model_response', // create_ticket (at-most-once)
      'tool_intent',
      'tool_result',
      'model_response', // send_email (approval, at-most-once)
      'interrupt',
      'decision',
      'tool_intent',
      'tool_result',
      'model_response', // list_notes
      'tool_result',
      'model_response', // the reply
      'run_finished',
    ]);
    expect(local.events).toContainEqual(
      expect.objectContaining({ kind: 'input', dedupeKey: `http:${IDEMPOTENCY_KEY}` }),
    );
    expect(local.events).toContainEqual(
      expect.objectContaining({ kind: 'decision', approved: true, by: APPROVER, reason: APPROVAL_REASON }),
    );
    for (const run of [local, aws, azure]) {
      expect(run.session, run.host).toMatchObject({
        status: 'idle',
        lastReply: FINAL_REPLY,
        pendingApprovals: [],
        toolState: {
          notes: ['milk'],
          tickets: ['Printer jam on floor 3'],
          sent: ['facilities@example.com: Ticket T-1: printer jam'],
        },
      });
      expect(run.modelRequests, run.host).toHaveLength(5);
      expect(run.answers.approval.status, run.host).toBe(202);
    }
  });

  it('runs locally without a continuation when the run budget is the default', () => {
    expect(continuations(local.events)).toBe(0);
    // The worker runs the decision's message, then the input's safety net, which finds nothing to do.
    expect(local.workerInvocations).toEqual([['decision'], ['input']]);
  });

  it('takes at least three SQS worker invocations on AWS when each has a short deadline', () => {
    expect(aws.answers.message).toEqual({ status: 202, state: 'running' });
    expect(aws.workerInvocations.length).toBeGreaterThanOrEqual(3);
    expect(aws.workerInvocations).toEqual([['continue'], ['continue'], ['decision'], ['continue']]);
    expect(continuations(aws.events)).toBe(3);
  });

  it('takes at least three Storage Queue invocations on Azure when each has a short budget', () => {
    expect(azure.answers.message).toEqual({ status: 202, state: 'running' });
    expect(azure.workerInvocations.length).toBeGreaterThanOrEqual(3);
    expect(azure.workerInvocations).toEqual([['continue'], ['continue'], ['decision'], ['continue']]);
    expect(continuations(azure.events)).toBe(3);
  });

  it('records the same transcript on AWS and on Azure as locally when the cloud runs are cut into invocations', () => {
    expect(transcript(aws.events)).toStrictEqual(transcript(local.events));
    expect(transcript(azure.events)).toStrictEqual(transcript(local.events));
  });

  it('writes the identical log on AWS and on Azure when both have the same budgets', () => {
    // Nothing normalized: both clouds cut the run at the same steps, on clocks that moved alike.
    expect(azure.events).toStrictEqual(aws.events);
  });

  it('ends with the same session and asks the model the same questions when run on any host', () => {
    expect(finalSession(aws.session)).toStrictEqual(finalSession(local.session));
    expect(finalSession(azure.session)).toStrictEqual(finalSession(local.session));
    // The tools' results the model reads carry their idempotency keys, whose seq depends on the cuts.
    const requests = (run: HostRun) => callKeysAsPositions(run.modelRequests, run.events);
    expect(requests(aws)).toStrictEqual(requests(local));
    expect(requests(azure)).toStrictEqual(requests(local));
  });
});
