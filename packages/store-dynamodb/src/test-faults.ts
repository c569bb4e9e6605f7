import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * For this package's tests only: makes DynamoDB answers the emulator never gives (throttling,
 * TransactionConflict, 5xx). A client middleware answers chosen requests with the error response
 * DynamoDB would send, on the wire format, so the SDK's own deserializer and retry logic see it
 * exactly as they would see AWS's answer; every other request goes through to DynamoDB Local.
 */
export interface Fault {
  /** The SDK command to fail, e.g. 'TransactWriteItemsCommand'. */
  command: string;
  /** How many matching requests to fail before letting them through (default: all). */
  times?: number;
  status: number;
  /** DynamoDB's error type, e.g. 'TransactionCanceledException'. */
  type: string;
  /** Extra fields of the error body, e.g. CancellationReasons. */
  body?: Record<string, unknown>;
}

/** Installs the fault and returns how many requests it has failed so far. */
export function injectFault(client: DynamoDBClient, fault: Fault): { readonly count: number } {
  const state = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== fault.command || state.count >= (fault.times ?? Number.POSITIVE_INFINITY)) {
        return next(args);
      }
      state.count++;
      const body = {
        __type: `com.amazonaws.dynamodb.v20120810#${fault.type}`,
        message: `injected ${fault.type}`,
        ...fault.body,
      };
      const response = {
        statusCode: fault.status,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${state.count}` },
        body: new TextEncoder().encode(JSON.stringify(body)),
      };
      return { response, output: undefined as never };
    },
    // Innermost: below the SDK's deserializer, in place of the HTTP call; retries pass through it again.
    { step: 'deserialize', priority: 'low', name: `fault-${fault.command}-${fault.type}` },
  );
  return state;
}
