import type { PendingCall } from '../context.js';
import type { EventBody } from '../events.js';
import { result } from '../next-step.js';
import type { RunContext } from '../run-context.js';
import type { CheckedCall } from '../tool-runner.js';
import { MAX_DELEGATION_DEPTH } from './agent-tool.js';
import { childResult, childSessionId, replyToOf, startChild } from './child-session.js';

/**
 * Starts the child session of each agent-tool call (created once, however often a crash makes the
 * run repeat this step) and stages a `tool_intent` naming the child, written with the run's next
 * commit: normally the release that leaves the run waiting for its children. A call past the depth
 * limit, or to an agent this app does not serve, gets an error result instead.
 */
export async function startDelegations(
  run: RunContext,
  calls: Extract<CheckedCall, { ok: true }>[],
  responseSeq: number,
): Promise<void> {
  const { writer, deps } = run;
  const depth = (writer.head.parent?.depth ?? 0) + 1;
  const replyTo = replyToOf(run.events);
  for (const checked of calls) {
    const { call, tool, args } = checked;
    const agent = tool.delegate!.agent;
    const refused = !deps.agents.has(agent)
      ? `agent ${agent} is not served by this app`
      : depth > MAX_DELEGATION_DEPTH
        ? `agents may call agents ${MAX_DELEGATION_DEPTH} levels deep; this call would be level ${depth}`
        : undefined;
    if (refused) {
      run.stage(result(call.callId, call.name, 'error', { error: refused }));
      continue;
    }
    const ref = {
      tenant: writer.ref.tenant,
      sessionId: childSessionId(writer.ref, responseSeq, call.callId, agent),
    };
    await startChild(
      {
        store: deps.store,
        clock: deps.clock,
        queue: deps.queue,
        webhooksOf: (head) => deps.agents.get(head.agent)?.webhooks ?? [],
      },
      { ref: writer.ref, head: writer.head },
      {
        ref,
        agent,
        text: (args as { input: string }).input,
        link: { sessionId: writer.ref.sessionId, callId: call.callId, responseSeq, depth },
        ...(replyTo ? { replyTo } : {}),
      },
    );
    run.logger.info('agent tool started a child session', { callId: call.callId, child: ref.sessionId });
    run.stage({ kind: 'tool_intent', callId: call.callId, name: call.name, child: ref.sessionId });
  }
}

/**
 * Reads each waiting child (its head; the result event once it finished) and stages the result of
 * every finished one, to be written with the run's next commit. Only the parent's lease holder
 * does this, so a result is recorded once. Returns how many it staged.
 */
export async function collectChildren(run: RunContext, children: PendingCall[]): Promise<number> {
  let staged = 0;
  for (const entry of children) {
    const found = await readChild(run, entry);
    if (!found) continue;
    run.stage(found);
    staged++;
  }
  return staged;
}

async function readChild(run: RunContext, entry: PendingCall): Promise<EventBody | null> {
  const child = entry.child!;
  const agent = entry.tool?.delegate?.agent ?? entry.call.name;
  const found = await childResult(
    run.deps.store,
    { tenant: run.writer.ref.tenant, sessionId: child },
    { callId: entry.call.callId, responseSeq: entry.responseSeq, agent },
  );
  if (!found) return null;
  return { ...result(entry.call.callId, entry.call.name, found.outcome, found.output), child };
}
