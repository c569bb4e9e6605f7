import type { RawReply } from './script.js';

/**
 * An AWS restJson1 error: the status of the modeled exception, its name in `x-amzn-errortype` and a
 * JSON body with the message, which is how the SDK picks the exception class.
 *
 * @example
 * fake.enqueue(awsError(429, 'ThrottlingException', 'Too many requests'));
 */
export function awsError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): RawReply {
  return {
    raw: {
      status,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': type,
        'x-amzn-requestid': '00000000-0000-4000-8000-000000000000',
        ...headers,
      },
      body: JSON.stringify({ message }),
    },
  };
}
