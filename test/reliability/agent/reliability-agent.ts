import { type Agent, defineAgent, type Model, type SessionRef } from '@baton/core';
import { ScriptedModel } from '../../../packages/testing/src/scripted-model.js';
import { reliabilityTurn, SCRIPT_STEPS } from './reliability-script.js';
import { type ExecutionRecorder, reliabilityTools, type ToolHook } from './reliability-tools.js';

export const AGENT_NAME = 'reliability';

/**
 * The agent of the reliability suite: the 20-step script, tools of every kind, the default
 * unknown-outcome policy ('error'), no compaction (the log must stay comparable event by event).
 */
export function reliabilityAgent(options: {
  recorder: ExecutionRecorder;
  hook?: ToolHook;
  model?: Model;
  leaseMs?: number;
}): Agent {
  return defineAgent({
    name: AGENT_NAME,
    instructions: 'Work through the backlog with the tools you have.',
    model: options.model ?? new ScriptedModel((request) => reliabilityTurn(request)),
    tools: reliabilityTools(options.recorder, options.hook),
    limits: { maxSteps: SCRIPT_STEPS + 5, compactAfterEvents: 0 },
    timing: { modelCallMs: 60_000, leaseMs: options.leaseMs ?? 90_000 },
    policies: { unknownOutcome: 'error' },
  });
}

/** Counts executions in memory, for scenarios that run in the test's own process. */
export class ExecutionCounter implements ExecutionRecorder {
  readonly executions: { session: SessionRef; callId: string; tool: string }[] = [];
  record(execution: { session: SessionRef; callId: string; tool: string }): void {
    this.executions.push(execution);
  }
  /** How often each call of one session ran. */
  byCall(session: SessionRef): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { session: of, callId } of this.executions) {
      if (of.tenant === session.tenant && of.sessionId === session.sessionId) {
        counts.set(callId, (counts.get(callId) ?? 0) + 1);
      }
    }
    return counts;
  }
}
