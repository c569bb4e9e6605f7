import {
  defineAgent,
  defineBaton,
  defineTool,
  type Model,
  type ModelRequest,
  type ModelResponse,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { loadConfig, startLocalApp } from '@baton/dev';
import { z } from 'zod';

/**
 * The local server the recovery benchmark kills: `startLocalApp` as `baton serve` runs it, with
 * every setting at its default, and an agent whose model and tools stop forever at the crash
 * point while `RECOVERY_PHASE=crash` (so the parent can SIGKILL the process there) and answer at
 * once after the restart. It prints `listening <url>` and `stalled <session>` lines.
 *
 * What a session's first message says picks the crash point:
 *   model     the model call of the first turn stalls
 *   tool      the tool the model calls stalls
 *   approve   the model calls a tool that needs approval; the model call after it (in the run the
 *             approval queued) stalls
 *   queued    (no message: `RECOVERY_QUEUED=<session>` submits one with the worker stopped, so
 *             it waits in the local queue)
 */
const crashing = process.env.RECOVERY_PHASE === 'crash';
const stall = (session: string) => new Promise<never>(() => process.stdout.write(`stalled ${session}\n`));

const usage = { inputTokens: 1, outputTokens: 1 };
const answer = (text: string): ModelResponse => ({
  text,
  toolCalls: [],
  usage,
  stopReason: 'end',
  model: 'recovery',
});
const call = (name: string, callId: string): ModelResponse => ({
  text: '',
  toolCalls: [{ callId, name, arguments: '{}' }],
  usage,
  stopReason: 'tool_calls',
  model: 'recovery',
});

const model: Model = {
  provider: 'recovery',
  modelId: 'recovery',
  async generate(request: ModelRequest): Promise<ModelResponse> {
    const session = request.sessionKey;
    const first = request.messages.find((message) => message.role === 'user')?.content ?? '';
    const last = request.messages.at(-1);
    if (last?.role === 'tool') {
      if (first === 'approve' && crashing) return stall(session);
      return answer(`done after ${last.name}`);
    }
    if (first === 'model' && crashing) return stall(session);
    if (first === 'tool') return call('slow_tool', 'slow-1');
    if (first === 'approve') return call('guarded_tool', 'guarded-1');
    return answer('ok');
  },
};

const agent = defineAgent({
  name: 'recovery',
  instructions: 'Recovery benchmark.',
  model,
  tools: [
    defineTool({
      name: 'slow_tool',
      description: 'stalls at the crash point',
      parameters: z.object({}),
      execute: async () => (crashing ? stall('tool') : { ok: true }),
    }),
    defineTool({
      name: 'guarded_tool',
      description: 'needs approval',
      parameters: z.object({}),
      needsApproval: true,
      execute: async () => ({ ok: true }),
    }),
  ],
});

const local = await startLocalApp(defineBaton({ agents: [agent] }), loadConfig(), {
  logger: silentLogger,
});
const queued = process.env.RECOVERY_QUEUED;
if (queued) {
  await local.worker.stop();
  await local.baton.submit(sessionRef('default', queued), { text: 'queued', source: 'bench' });
  process.stdout.write(`stalled ${queued}\n`);
}
process.stdout.write(`listening ${local.url} reclaimed ${JSON.stringify(local.reclaimed)}\n`);
