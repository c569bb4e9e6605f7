import type { Clock } from '@baton/core';
import type { Context } from 'aws-lambda';

let invocations = 0;

/**
 * A Lambda context whose remaining time the test controls: `budgetMs` from the moment it is made,
 * read on `clock`, so a test's ManualClock moving forward uses the invocation's time up.
 */
export function lambdaContext(options: { clock: Clock; budgetMs: number }): Context {
  invocations++;
  const endsAt = options.clock.now() + options.budgetMs;
  const requestId = `00000000-0000-4000-8000-${String(invocations).padStart(12, '0')}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'baton-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:baton-test',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/baton-test',
    logStreamName: '2026/01/01/[$LATEST]0000',
    getRemainingTimeInMillis: () => Math.max(0, endsAt - options.clock.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
