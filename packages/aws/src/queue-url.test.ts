import { describe, expect, it } from 'vitest';
import { isFifoSource, queueUrlFromArn } from './queue-url.js';

describe('queueUrlFromArn', () => {
  it('builds the queue URL when the ARN names a queue', () => {
    expect(queueUrlFromArn('arn:aws:sqs:eu-west-1:123456789012:baton-runs')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/baton-runs',
    );
    expect(queueUrlFromArn('arn:aws-cn:sqs:cn-north-1:123456789012:runs.fifo')).toBe(
      'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/runs.fifo',
    );
    expect(isFifoSource('arn:aws:sqs:eu-west-1:123456789012:runs.fifo')).toBe(true);
  });

  it('throws when the ARN is not an SQS queue', () => {
    expect(() => queueUrlFromArn('arn:aws:sns:eu-west-1:123456789012:topic')).toThrow(/not an SQS queue ARN/);
  });
});
