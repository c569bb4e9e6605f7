/**
 * Defaults for an AWS SDK Bedrock client inside a function. The SDK's own are 3 attempts and no
 * request timeout; one retry is enough in-process, the queue retries beyond it, and the request's
 * abort signal bounds the whole call by the invocation's deadline. Both Bedrock clients speak
 * HTTP/2: `requestTimeout` is how long a stream may stay idle, and one stream per session is what
 * the SDK itself configures for them.
 */
export const FUNCTION_CLIENT_DEFAULTS = {
  maxAttempts: 2,
  requestHandler: { requestTimeout: 60_000, disableConcurrentStreams: true },
} as const;
