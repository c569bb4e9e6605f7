import { type Agent, defineAgent } from '@baton/core';
import { callTools, reply, ScriptedModel } from '../../../packages/testing/src/scripted-model.js';
import type { ExecutionRecorder } from './reliability-tools.js';
import { reliabilityTools } from './reliability-tools.js';

/**
 * One turn per message: the agent charges once (an at-most-once tool, whose executions are the
 * effect a duplicate must not repeat), then answers. Call ids derive from the message, so a second
 * run of the same turn would show up as a repeated call id.
 */
export function singleTurnAgent(
  recorder: ExecutionRecorder,
  name = 'single-turn',
): Agent & { model: ScriptedModel } {
  const model = new ScriptedModel((request) => {
    const last = request.messages.at(-1);
    if (last?.role === 'user') {
      return callTools([
        { name: 'charge', args: { cents: 100 }, callId: `charge-${last.content.slice(0, 40)}` },
      ]);
    }
    const asked = [...request.messages].reverse().find((message) => message.role === 'user');
    return reply(`Charged 100 for "${asked?.role === 'user' ? asked.content : ''}".`);
  });
  const agent = defineAgent({
    name,
    instructions: 'Charge once per message.',
    model,
    tools: reliabilityTools(recorder),
    limits: { maxSteps: 10, compactAfterEvents: 0 },
    // The scripted model answers at once: reserve a second, so a one-minute deadline fits the turn.
    timing: { modelCallMs: 1_000 },
  });
  return Object.assign(agent, { model });
}
