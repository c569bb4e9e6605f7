import { FaultPlan, type FaultTiming } from './fault-plan.js';

/**
 * DynamoDB's failures, injected at the client: a middleware installed where the HTTP call happens,
 * below the SDK's deserializer and retry logic, so the SDK parses and retries an injected answer
 * exactly as it would AWS's. Typed structurally so this package needs no AWS SDK.
 *
 * - throughput: ProvisionedThroughputExceededException (the SDK retries it as throttling).
 * - transaction-conflict: TransactWriteItems cancelled with a TransactionConflict reason (not
 *   retried by the SDK; nothing was written).
 * - reset: the connection drops, before the request left or after DynamoDB applied it (the SDK
 *   retries; a retried TransactWriteItems carries the same ClientRequestToken).
 * - server-error: HTTP 500 after DynamoDB applied the request (the SDK retries).
 */
export type DynamoFaultKind = 'throughput' | 'transaction-conflict' | 'reset' | 'server-error';

export interface DynamoFaultOptions {
  rate: number;
  seed?: number;
  /** Default: all four. */
  kinds?: readonly DynamoFaultKind[];
  /** Stop after this many faults (default: never), e.g. 1 to fail exactly one call. */
  limit?: number;
  /** SDK command names that may fail, e.g. 'TransactWriteItemsCommand'. Default: all. */
  commands?: readonly string[];
}

type Handler = (args: unknown) => Promise<{ response: unknown; output?: unknown }>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;

/** The part of a DynamoDBClient the injector uses. */
export interface MiddlewareClient {
  // Any overloads of the SDK's `add` fit this; the call below passes a deserialize-step middleware.
  middlewareStack: { add(...args: never[]): void };
}

const TIMINGS: Record<DynamoFaultKind, readonly FaultTiming[]> = {
  throughput: ['before'],
  'transaction-conflict': ['before'],
  reset: ['before', 'after'],
  'server-error': ['after'],
};

/**
 * Installs the injector on `client` and returns its plan (the log of injected faults; `disable()`
 * lets everything through again).
 *
 * @example
 * const client = new DynamoDBClient({ endpoint });
 * const plan = injectDynamoFaults(client, { rate: 0.1, seed: 3 });
 * const store = new DynamoStore({ client, tableName });
 */
export function injectDynamoFaults(
  client: MiddlewareClient,
  options: DynamoFaultOptions,
): FaultPlan<DynamoFaultKind> {
  const kinds = options.kinds ?? (Object.keys(TIMINGS) as DynamoFaultKind[]);
  const plan = new FaultPlan<DynamoFaultKind>({
    rate: options.rate,
    seed: options.seed ?? 1,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    kinds: kinds.map((kind) => ({ kind, timings: TIMINGS[kind] })),
  });
  const commands = options.commands ? new Set(options.commands) : undefined;
  const middleware: Middleware = (next, context) => async (args) => {
    const command = context.commandName ?? 'unknown';
    if (commands && !commands.has(command)) return next(args);
    const transaction = command === 'TransactWriteItemsCommand';
    const fault = plan.next(command, (kind) => kind !== 'transaction-conflict' || transaction);
    if (!fault) return next(args);
    if (fault.timing === 'after') {
      const passed = await next(args);
      await drain((passed.response as { body?: unknown }).body);
      if (fault.kind === 'server-error') {
        return errorResponse(
          500,
          'InternalServerError',
          'injected: the answer was lost',
          plan.injected.length,
        );
      }
      throw networkError();
    }
    if (fault.kind === 'reset') throw networkError();
    if (fault.kind === 'throughput') {
      return errorResponse(
        400,
        'ProvisionedThroughputExceededException',
        'injected: the level of configured provisioned throughput for the table was exceeded',
        plan.injected.length,
      );
    }
    const actions = (args as { input?: { TransactItems?: unknown[] } }).input?.TransactItems?.length ?? 1;
    return errorResponse(
      400,
      'TransactionCanceledException',
      'injected: Transaction cancelled, please refer cancellation reasons for specific reasons',
      plan.injected.length,
      {
        CancellationReasons: Array.from({ length: actions }, (_, index) =>
          index === 0
            ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
            : { Code: 'None' },
        ),
      },
    );
  };
  // Innermost, where the HTTP call happens: the SDK's deserializer and retries sit above it.
  const placement = { step: 'deserialize', priority: 'low', name: 'baton-dynamodb-faults' };
  client.middlewareStack.add(middleware as never, placement as never);
  return plan;
}

function errorResponse(
  status: number,
  type: string,
  message: string,
  id: number,
  extra: Record<string, unknown> = {},
): { response: unknown; output: never } {
  const body = { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra };
  return {
    response: {
      statusCode: status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${id}` },
      body: new TextEncoder().encode(JSON.stringify(body)),
    },
    output: undefined as never,
  };
}

/** What Node's HTTP client throws when the server's socket closes mid-answer. */
function networkError(): Error {
  return Object.assign(new Error('read ECONNRESET (injected)'), { code: 'ECONNRESET', errno: -104 });
}

/** Reads an answer that will be thrown away, so its keep-alive socket goes back to the pool. */
async function drain(body: unknown): Promise<void> {
  if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const _ of body as AsyncIterable<unknown>) {
      // discard
    }
  }
}
