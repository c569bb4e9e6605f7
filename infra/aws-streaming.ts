import { handlerIn } from './aws-bundle.js';

/**
 * The streaming function's timeout: a followed session (`GET /sessions/{id}/stream`) or a run
 * streamed from `POST .../messages` stays open until the app's deadline, this minus its margin,
 * and the client resumes with `Last-Event-ID`. A Function URL has no 30 s limit (up to 900 s).
 */
export const STREAM_TIMEOUT_SECONDS = 300;

/** What the streaming function shares with the HTTP function (runtime, memory, links, environment, grants). */
export interface StreamingFunctionArgs {
  runtime: 'nodejs24.x';
  architecture: 'arm64';
  memory: `${number} MB`;
  link: unknown[];
  layers?: $util.Input<string>[];
  environment: Record<string, $util.Input<string>>;
  permissions: { actions: string[]; resources: $util.Input<string>[] }[];
}

/**
 * API Gateway HTTP APIs buffer a Lambda's response, so live streams go through a second function
 * on the http bundle's `stream` export (wrapped with `awslambda.streamifyResponse`) behind a
 * Function URL with invoke mode RESPONSE_STREAM. Same app, same grants; auth is the app's own
 * (`apiKeys()`, `jwt()`): a Function URL has no JWT authorizer, so `authorization: 'none'`.
 *
 * @example
 * const stream = streamingFunction(bundleDir, { ...common, permissions }, 300);
 * stream.url; // https://<id>.lambda-url.<region>.on.aws
 */
export function streamingFunction(
  bundleDir: string,
  args: StreamingFunctionArgs,
  timeoutSeconds = STREAM_TIMEOUT_SECONDS,
) {
  return new sst.aws.Function('HttpStream', {
    ...args,
    environment: {
      // A run a POST streams goes on inline up to the timeout: its safety-net message waits as long.
      BATON_SAFETY_NET_DELAY_MS: String(timeoutSeconds * 1000),
      ...args.environment,
    },
    ...handlerIn(bundleDir, 'http', 'stream'),
    timeout: `${timeoutSeconds} seconds`,
    url: { authorization: 'none' },
    streaming: true,
  });
}
