import type { DeployedFunction } from './aws-contract.js';
import { type Recording, referencePath, resourcesOf } from './recording.js';
import { seconds } from './sst-duration.js';

/** Lambda's floor is the worker's timeout; past it the queue only covers a record before its first beat. */
const MAX_VISIBILITY_BEYOND_TIMEOUT_SECONDS = 120;
/** A dead worker's record is back this long after its last beat: with a poll, within a minute. */
const MAX_WORKER_VISIBILITY_SECONDS = 45;

/** How the run queue, its event source and dead-letter queue differ from what the worker expects. */
export function queueMismatches(recording: Recording, functions: DeployedFunction[]): string[] {
  const mappings = resourcesOf(recording, 'aws.lambda.EventSourceMapping');
  if (mappings.length !== 1) return [`expected one SQS event source (the worker), found ${mappings.length}`];
  const mapping = mappings[0]!.args as {
    eventSourceArn?: unknown;
    functionName?: unknown;
    functionResponseTypes?: string[];
    scalingConfig?: { maximumConcurrency?: unknown };
  };
  const queueName = referencePath(mapping.eventSourceArn)?.replace(/\.arn$/, '') ?? '';
  const queue = resourcesOf(recording, 'sst.aws.Queue').find((q) => q.name === queueName);
  if (!queue) return [`the event source reads ${queueName || 'nothing'}, which is not a declared queue`];
  const problems: string[] = [];
  const workerName = referencePath(mapping.functionName)?.replace(/\.name$/, '');
  const worker = functions.find((fn) => fn.label === `Function ${workerName}`);
  if (worker?.entry !== 'worker')
    problems.push(`the run queue's event source invokes ${workerName}, not the worker`);
  const visibility = seconds(queue.args.visibilityTimeout as string | undefined) ?? 30;
  const timeout = seconds(worker?.args.timeout as string | undefined) ?? 20;
  if (visibility <= timeout) {
    problems.push(
      `the run queue's visibility timeout (${visibility} s) does not exceed the worker's timeout (${timeout} s)`,
    );
  } else if (visibility > timeout + MAX_VISIBILITY_BEYOND_TIMEOUT_SECONDS) {
    problems.push(
      `the run queue's visibility timeout (${visibility} s) hides a record whose worker died before its first beat for more than ${MAX_VISIBILITY_BEYOND_TIMEOUT_SECONDS} s past the worker's timeout (${timeout} s)`,
    );
  }
  const beat = Number(
    (worker?.args.environment as Record<string, unknown> | undefined)?.BATON_VISIBILITY_SECONDS,
  );
  if (!(Number.isInteger(beat) && beat >= 1 && beat <= MAX_WORKER_VISIBILITY_SECONDS)) {
    problems.push(
      `the worker's BATON_VISIBILITY_SECONDS is not 1 to ${MAX_WORKER_VISIBILITY_SECONDS}: a dead worker's records would not be back within a minute`,
    );
  }
  if (!mapping.functionResponseTypes?.includes('ReportBatchItemFailures')) {
    problems.push(
      'the worker event source has no partial batch responses: its batchItemFailures would be ignored',
    );
  }
  const concurrency = mapping.scalingConfig?.maximumConcurrency;
  if (!(typeof concurrency === 'number' && concurrency >= 2 && concurrency <= 1000)) {
    problems.push(`the worker event source has no maximum concurrency (got ${String(concurrency)})`);
  }
  const dlq = queue.args.dlq as { queue?: unknown; retry?: number } | undefined;
  const dlqName = referencePath(dlq?.queue)?.replace(/\.arn$/, '');
  if (!dlqName || !resourcesOf(recording, 'sst.aws.Queue').some((q) => q.name === dlqName)) {
    problems.push('the run queue has no dead-letter queue');
  } else if (!(typeof dlq?.retry === 'number' && dlq.retry >= 1)) {
    problems.push('the run queue sets no maxReceiveCount');
  }
  for (const fn of functions) {
    const environment = (fn.args.environment as Record<string, unknown>) ?? {};
    if (referencePath(environment.BATON_QUEUE_URL) !== `${queueName}.url`) {
      problems.push(
        `${fn.label}: BATON_QUEUE_URL is not the url of ${queueName}, the queue the worker reads`,
      );
    }
    if (dlqName && referencePath(environment.BATON_DLQ_URL) !== `${dlqName}.url`) {
      problems.push(`${fn.label}: BATON_DLQ_URL is not the url of ${dlqName}`);
    }
    if (typeof dlq?.retry === 'number' && environment.BATON_MAX_RECEIVES !== String(dlq.retry)) {
      problems.push(
        `${fn.label}: BATON_MAX_RECEIVES is ${String(environment.BATON_MAX_RECEIVES)}, not the run queue's maxReceiveCount ${dlq.retry}`,
      );
    }
  }
  return problems;
}

/** The dead-letter queue raises a CloudWatch alarm on its first message. */
export function alarmMismatches(recording: Recording): string[] {
  const subscription = resourcesOf(recording, 'aws.lambda.EventSourceMapping')[0];
  const runsName = referencePath(subscription?.args.eventSourceArn)?.replace(/\.arn$/, '');
  const runs = resourcesOf(recording, 'sst.aws.Queue').find((q) => q.name === runsName);
  const dlqName = referencePath((runs?.args.dlq as { queue?: unknown } | undefined)?.queue)?.replace(
    /\.arn$/,
    '',
  );
  const alarm = resourcesOf(recording, 'aws.cloudwatch.MetricAlarm').find(
    (a) =>
      referencePath((a.args.dimensions as { QueueName?: unknown } | undefined)?.QueueName) ===
      `${dlqName}.nodes.queue.name`,
  );
  if (!alarm) return ['no CloudWatch alarm watches the dead-letter queue'];
  const args = alarm.args as Record<string, unknown>;
  if (
    args.namespace !== 'AWS/SQS' ||
    args.metricName !== 'ApproximateNumberOfMessagesVisible' ||
    args.threshold !== 0 ||
    args.comparisonOperator !== 'GreaterThanThreshold'
  ) {
    return ['the dead-letter alarm does not fire on the first visible message'];
  }
  if (!((args.alarmActions as unknown[]) ?? []).length) return ['the dead-letter alarm notifies nobody'];
  return [];
}
