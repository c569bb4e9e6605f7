import { AT_MOST_ONCE_TOOLS } from '../agent/reliability-tools.js';
import type { CrashPlan, RunTrace } from './crash-plan.js';

/** What one crash must have left behind, derived from the uncrashed run's trace alone. */
export interface CrashExpectation {
  /** Commits that landed before the process died. */
  landed: number;
  /** At-most-once calls whose intent landed but whose result did not: surfaced as unknown outcomes. */
  unknown: Set<string>;
  /** How often each call runs over the crashed process and the one that resumes (calls that never run are absent). */
  executions: Map<string, number>;
}

/**
 * The run is deterministic up to the crash, so the reference trace says which commits landed,
 * which tools had run, and from that exactly which calls end as unknown outcomes and how often
 * every tool runs in total: an idempotent call that ran but whose result was lost runs again; an
 * at-most-once call whose intent landed never runs again.
 */
export function crashExpectation(
  trace: RunTrace,
  plan: CrashPlan,
  atMostOnce: ReadonlySet<string>,
): CrashExpectation {
  const landed = landedCommits(trace, plan);
  const intentAt = new Map<string, number>();
  const resultAt = new Map<string, number>();
  for (const commit of trace.commits) {
    for (const event of commit.events) {
      if (event.kind === 'tool_intent' && event.callId) intentAt.set(event.callId, commit.n);
      if (event.kind === 'tool_result' && event.callId) resultAt.set(event.callId, commit.n);
    }
  }
  const unknown = new Set<string>();
  for (const [callId, at] of intentAt) {
    if (at <= landed && (resultAt.get(callId) ?? Number.POSITIVE_INFINITY) > landed) unknown.add(callId);
  }
  const executions = new Map<string, number>();
  for (const tool of trace.tools) {
    const ranBeforeCrash =
      plan.kind === 'none' || (plan.kind === 'tool' ? tool.n <= plan.n : tool.commitsBefore < plan.n);
    const resultLanded = (resultAt.get(tool.callId) ?? Number.POSITIVE_INFINITY) <= landed;
    let count: number;
    if (atMostOnce.has(tool.tool)) count = ranBeforeCrash || !unknown.has(tool.callId) ? 1 : 0;
    else count = ranBeforeCrash && !resultLanded ? 2 : 1;
    if (count > 0) executions.set(tool.callId, count);
  }
  return { landed, unknown, executions };
}

function landedCommits(trace: RunTrace, plan: CrashPlan): number {
  if (plan.kind === 'none') return trace.commits.length;
  if (plan.kind === 'commit') return plan.when === 'before' ? plan.n - 1 : plan.n;
  const tool = trace.tools[plan.n - 1];
  if (!tool) throw new Error(`the reference run has no tool call ${plan.n}`);
  return tool.commitsBefore;
}

/** Every commit boundary (before and after each commit) and every tool call of the reference run. */
export function allCrashPoints(trace: RunTrace): CrashPlan[] {
  const plans: CrashPlan[] = [];
  for (let n = 1; n <= trace.commitCalls; n++) {
    plans.push({ kind: 'commit', n, when: 'before' }, { kind: 'commit', n, when: 'after' });
  }
  for (const tool of trace.tools) plans.push({ kind: 'tool', n: tool.n });
  return plans;
}

/**
 * Where a sample crashes, by commit shape: the first commit of each shape, before or after it. The
 * choice keeps every outcome a crash can have: a lost idempotent result (runs again), an intent
 * without execution (unknown, never runs), an execution without result (unknown, ran once), the
 * approval round trip, a parallel batch of intents, the final release.
 */
const SAMPLED_COMMITS: readonly [shape: string, when: 'before' | 'after'][] = [
  ['first-lease', 'after'],
  ['model_response:', 'after'],
  ['tool_result:lookup', 'before'],
  ['tool_intent:charge', 'after'],
  ['tool_result:charge', 'before'],
  ['interrupt:', 'after'],
  ['release', 'after'],
  ['decision:send_email', 'before'],
  ['tool_result:send_email', 'after'],
  ['tool_intent:charge+tool_intent:charge', 'after'],
  ['run_finished:', 'before'],
];

/**
 * A sample that still touches every kind of commit and every tool kind (about 15 points instead of
 * 160): the commit shapes above, and inside a call of every approval-gated tool and of a parallel
 * batch that mixes an at-most-once call with an idempotent one.
 */
export function sampledCrashPoints(trace: RunTrace): CrashPlan[] {
  const toolOf = new Map(trace.tools.map((tool) => [tool.callId, tool.tool]));
  const firstOfShape = new Map<string, number>();
  let previous = '';
  for (const commit of trace.commits) {
    let shape = commit.events
      .map((event) => `${event.kind}:${event.callId ? toolOf.get(event.callId) : ''}`)
      .join('+');
    if (shape === '')
      shape = commit.n <= 2 ? 'first-lease' : previous.startsWith('interrupt') ? 'release' : 'lease';
    previous = shape;
    if (!firstOfShape.has(shape)) firstOfShape.set(shape, commit.n);
  }
  const plans: CrashPlan[] = SAMPLED_COMMITS.map(([shape, when]) => {
    // The exact shape, else the first commit that holds it among others (a final answer and its
    // run_finished may share one commit).
    const n =
      firstOfShape.get(shape) ?? [...firstOfShape].find(([other]) => other.split('+').includes(shape))?.[1];
    if (n === undefined) throw new Error(`the reference run has no commit of shape ${shape}`);
    return { kind: 'commit', n, when };
  });
  const batches = new Map<number, string[]>();
  for (const tool of trace.tools)
    batches.set(tool.commitsBefore, [...(batches.get(tool.commitsBefore) ?? []), tool.tool]);
  const wanted = [
    (tool: RunTrace['tools'][number]) => tool.tool === 'send_email',
    (tool: RunTrace['tools'][number]) => tool.tool === 'publish',
    (tool: RunTrace['tools'][number]) => {
      const batch = batches.get(tool.commitsBefore) ?? [];
      return !AT_MOST_ONCE_TOOLS.has(tool.tool) && batch.some((name) => AT_MOST_ONCE_TOOLS.has(name));
    },
  ];
  for (const matches of wanted) {
    const tool = trace.tools.find(matches);
    if (!tool) throw new Error('the reference run lacks a tool call the sample needs');
    plans.push({ kind: 'tool', n: tool.n });
  }
  return plans;
}
