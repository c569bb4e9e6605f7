/**
 * The queue URL of a record's source queue, for ChangeMessageVisibility: the event carries only the
 * ARN (`arn:<partition>:sqs:<region>:<account>:<name>`).
 *
 * @example
 * queueUrlFromArn('arn:aws:sqs:eu-west-1:123456789012:runs'); // https://sqs.eu-west-1.amazonaws.com/123456789012/runs
 */
export function queueUrlFromArn(arn: string): string {
  const [prefix, partition, service, region, account, name] = arn.split(':');
  if (prefix !== 'arn' || service !== 'sqs' || !region || !account || !name) {
    throw new Error(`not an SQS queue ARN: ${arn}`);
  }
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** Whether records from this source come from a FIFO queue (ordering rules differ). */
export function isFifoSource(arn: string): boolean {
  return arn.endsWith('.fifo');
}

/**
 * The queue URL of a record's source queue, preferring `configured` (the runs queue's own URL,
 * `BATON_QUEUE_URL`) when the record comes from that queue: a URL derived from the ARN names the
 * public endpoint, which a VPC endpoint or a local emulator does not answer (the SDK sends to the
 * queue URL's host, not to `AWS_ENDPOINT_URL_SQS`). Records of any other queue get the derived URL.
 *
 * @example
 * const urlOf = queueUrlPreferring('http://127.0.0.1:9324/000000000000/runs');
 * urlOf('arn:aws:sqs:us-east-1:000000000000:runs'); // http://127.0.0.1:9324/000000000000/runs
 */
export function queueUrlPreferring(configured: string | undefined): (arn: string) => string {
  if (!configured) return queueUrlFromArn;
  // The path by hand: emulators answer URLs such as http://sqs.us-east-1.127.0.0.1:9324/… that
  // WHATWG's URL refuses, and the SDK sends them as they are.
  const path = configured.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/\/+$/, '');
  return (arn) => {
    const [, , , , account, name] = arn.split(':');
    return path === `/${account}/${name}` ? configured : queueUrlFromArn(arn);
  };
}
