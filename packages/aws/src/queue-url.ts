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
