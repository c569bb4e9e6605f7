import { STREAMING_EXPORT } from '@baton/aws/build';
import type { DeployedFunction } from './aws-contract.js';
import { callsOf, type Recording, referencePath } from './recording.js';

interface FunctionUrlArgs {
  streaming?: boolean;
  url?: boolean | { authorization?: string };
}

/**
 * How the streaming Function URL disagrees with the http bundle: its `stream` export is wrapped
 * with `awslambda.streamifyResponse` and only works behind a Function URL in RESPONSE_STREAM mode
 * (SST `streaming: true`); the buffered `handler` must not be streamed; API Gateway HTTP APIs
 * cannot call a streaming handler; the app checks callers itself, so the URL asks for no IAM
 * signature (no browser or API-key client could send one).
 */
export function streamingMismatches(recording: Recording, functions: DeployedFunction[]): string[] {
  const problems: string[] = [];
  const routed = new Set(callsOf(recording, /\.route$/).map((call) => referencePath(call.args[1])));
  for (const fn of functions) {
    if (fn.entry !== 'http') continue;
    const exported = String(fn.args.handler).split('.')[1];
    const args = fn.args as FunctionUrlArgs;
    const name = fn.label.replace(/^(Function|Cron) /, '');
    const streams = args.streaming === true;
    if (exported === STREAMING_EXPORT) {
      if (!args.url) problems.push(`${fn.label}: runs the streaming handler without a Function URL`);
      else if (!streams)
        problems.push(
          `${fn.label}: runs the streaming handler behind a buffered Function URL (set streaming: true, invoke mode RESPONSE_STREAM)`,
        );
      if (routed.has(`${name}.arn`))
        problems.push(
          `${fn.label}: API Gateway routes reach the streaming handler, which an HTTP API cannot call`,
        );
    } else if (streams) {
      problems.push(
        `${fn.label}: streams the buffered ${exported} export; a Function URL in RESPONSE_STREAM mode needs the ${STREAMING_EXPORT} export`,
      );
    }
    if (typeof args.url === 'object' && args.url.authorization === 'iam') {
      problems.push(
        `${fn.label}: its Function URL asks for IAM signatures, which no browser or API-key client sends (the app checks callers)`,
      );
    }
  }
  return problems;
}
