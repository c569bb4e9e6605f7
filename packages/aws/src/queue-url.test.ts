import { describe, expect, it } from 'vitest';
import { isFifoSource, queueUrlFromArn, queueUrlPreferring } from './queue-url.js';

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

describe('queueUrlPreferring', () => {
  const configured = 'http://127.0.0.1:4566/000000000000/baton-runs';

  it('answers the configured URL for records of that queue', () => {
    expect(queueUrlPreferring(configured)('arn:aws:sqs:us-east-1:000000000000:baton-runs')).toBe(configured);
  });

  it('derives the URL for records of another queue or account', () => {
    const urlOf = queueUrlPreferring(configured);
    expect(urlOf('arn:aws:sqs:us-east-1:000000000000:other')).toBe(
      'https://sqs.us-east-1.amazonaws.com/000000000000/other',
    );
    expect(urlOf('arn:aws:sqs:us-east-1:123456789012:baton-runs')).toBe(
      'https://sqs.us-east-1.amazonaws.com/123456789012/baton-runs',
    );
  });

  it('matches a configured URL that WHATWG URL would refuse, as emulators answer them', () => {
    const emulator = 'http://sqs.us-east-1.127.0.0.1:41837/000000000000/runs';
    expect(queueUrlPreferring(emulator)('arn:aws:sqs:us-east-1:000000000000:runs')).toBe(emulator);
  });

  it('derives every URL when no queue is configured', () => {
    expect(queueUrlPreferring(undefined)('arn:aws:sqs:eu-west-1:123456789012:runs')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/runs',
    );
  });
});
