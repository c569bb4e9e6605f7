import { createOpenAI } from '@ai-sdk/openai';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { generateText, type ModelMessage, stepCountIs } from 'ai';
import { INSTRUCTIONS } from '../../conversation.js';
import { tools } from './ai-sdk-tools.js';
import { type MinimalHttpEvent, type MinimalHttpResult, messageOf, reply } from './http-event.js';

/**
 * The AI SDK's handler as a user deploys it on Lambda: `ai-sdk-openai` (its OpenAI provider over
 * the wire fake) with the session's messages in DynamoDB, one item per message (pk = session id,
 * sk = sequence). One Query loads the history; one BatchWriteItem appends the user's message and
 * `response.messages` (the AI SDK's documented pattern). The client finds the table's endpoint,
 * region and credentials in the environment a deployment sets (AWS_ENDPOINT_URL_DYNAMODB locally).
 *
 * @example
 * // CHAT_TABLE=chats AWS_REGION=us-east-1 OPENAI_API_KEY=... node invoke.mjs http ai-sdk-dynamodb/index.mjs
 */
const table = process.env.CHAT_TABLE ?? 'chats';
const dynamo = new DynamoDBClient({});
const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL });

interface Row {
  pk: string;
  sk: number;
  message: string;
}

async function history(sessionId: string): Promise<ModelMessage[]> {
  const rows: Row[] = [];
  let from: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': sessionId }),
        ConsistentRead: true,
        ExclusiveStartKey: from,
      }),
    );
    for (const item of page.Items ?? []) rows.push(unmarshall(item) as Row);
    from = page.LastEvaluatedKey;
  } while (from);
  return rows.map((row) => JSON.parse(row.message) as ModelMessage);
}

async function append(sessionId: string, first: number, messages: ModelMessage[]): Promise<void> {
  const puts: WriteRequest[] = messages.map((message, i) => ({
    PutRequest: { Item: marshall({ pk: sessionId, sk: first + i, message: JSON.stringify(message) }) },
  }));
  // 25 items per call; what DynamoDB leaves unprocessed is sent again.
  for (let start = 0; start < puts.length; start += 25) {
    let pending: WriteRequest[] = puts.slice(start, start + 25);
    while (pending.length > 0) {
      const done = await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = done.UnprocessedItems?.[table] ?? [];
    }
  }
}

export async function handler(event: MinimalHttpEvent): Promise<MinimalHttpResult> {
  const { sessionId, text } = messageOf(event);
  const stored = await history(sessionId);
  const input: ModelMessage = { role: 'user', content: text };
  const result = await generateText({
    model: openai('gpt-5-mini'),
    system: INSTRUCTIONS,
    messages: [...stored, input],
    tools,
    stopWhen: stepCountIs(5),
  });
  await append(sessionId, stored.length, [input, ...result.response.messages]);
  return reply(result.text);
}
