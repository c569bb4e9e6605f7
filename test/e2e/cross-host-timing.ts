import { DEFAULT_SAFETY_MARGIN_MS } from '@baton/aws';
import { DEFAULT_MARGIN_MS } from '@baton/azure';

/**
 * The budgets that cut the cloud runs into short invocations. Both clouds plan against the same
 * times once their own margin (Lambda 2 s, Azure 5 s, both the handlers' defaults) is taken off:
 *
 * - a model call reserves 20 s (the agent's timing.modelCallMs, BATON_MODEL_CALL_MS when deployed)
 *   and takes 15 s of the invocation's manual clock;
 * - a tool reserves its timeout, the default 30 s (the example agent's tools set none);
 * - the HTTP invocation plans with 27 s: the first model call fits (20 <= 27), its tool then does
 *   not (15 + 30 > 27), so the run continues through the queue;
 * - a worker invocation plans with 44 s: the pending tool fits (30 <= 44), the next model call fits
 *   (20 <= 44), the tool after it does not (15 + 30 > 44). Each worker invocation therefore runs
 *   one tool and one model call, and the five-call conversation needs four worker invocations
 *   (one of them resumes after the approval).
 */
const HTTP_PLAN_MS = 27_000;
const WORKER_PLAN_MS = 44_000;

export const CLOUD = {
  timing: { modelCallMs: 20_000 },
  modelCallTakesMs: 15_000,
  /** The Lambda context's remaining time: 29 s, which API Gateway's cap (also 29 s) leaves as is. */
  lambdaHttpBudgetMs: HTTP_PLAN_MS + DEFAULT_SAFETY_MARGIN_MS,
  lambdaWorkerBudgetMs: WORKER_PLAN_MS + DEFAULT_SAFETY_MARGIN_MS,
  /** host.json functionTimeout as the Azure handlers are told it. */
  azureHttpTimeoutMs: HTTP_PLAN_MS + DEFAULT_MARGIN_MS,
  azureQueueTimeoutMs: WORKER_PLAN_MS + DEFAULT_MARGIN_MS,
  /**
   * The HTTP input's safety-net run message is the recovery path for an HTTP invocation that dies;
   * this test does not exercise it. Emulated queues delay messages in real time, so it is parked
   * for SQS's longest delay (15 min) rather than the deployed 30 s: it can never show up in the
   * middle of the test and make the number of worker invocations depend on the machine's speed.
   */
  safetyNetDelayMs: 900_000,
};

/** A bound on each drain, so a run that never stops continuing fails instead of hanging. */
export const MAX_WORKER_INVOCATIONS = 20;
