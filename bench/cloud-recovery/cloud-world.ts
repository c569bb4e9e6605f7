import {
  type BatonApp,
  createBatonApp,
  defineAgent,
  defineBaton,
  type Model,
  type RunQueue,
  type SessionStore,
  sessionRef,
  silentLogger,
} from '@baton/core';

/**
 * What the cloud recovery benchmark shares between hosts: a switch that makes an object's every
 * method hang (a dead process's clients), the agent (its model stalls in the dying process and
 * answers at once in the surviving one) and the progress probe.
 */

/** `value`, whose async methods never settle once `kill()` was called: a process that is gone. */
export function killable<T extends object>(target: T): { value: T; kill(): void } {
  let dead = false;
  const value = new Proxy(target, {
    get(object, property, receiver) {
      const member = Reflect.get(object, property, receiver);
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => {
        if (dead) return new Promise(() => undefined);
        return member.apply(object, args);
      };
    },
  });
  return {
    value,
    kill: () => {
      dead = true;
    },
  };
}

const usage = { inputTokens: 1, outputTokens: 1 };

/** Stalls forever (the dying process) or answers at once (the one that recovers the run). */
export function benchModel(stall: boolean, started?: (session: string) => void): Model {
  return {
    provider: 'bench',
    modelId: 'recovery',
    async generate(request) {
      if (stall) {
        started?.(request.sessionKey ?? '');
        return new Promise(() => undefined);
      }
      return { text: 'recovered', toolCalls: [], usage, stopReason: 'end', model: 'recovery' };
    },
  };
}

/** The app with every timing at its default: only the model is the benchmark's. */
export function benchApp(store: SessionStore, queue: RunQueue, model: Model): BatonApp {
  const agent = defineAgent({ name: 'assistant', instructions: 'Answer.', model });
  return createBatonApp(defineBaton({ agents: [agent], auth: 'none' }), {
    store,
    queue,
    logger: silentLogger,
    env: {},
  });
}

/** Resolves when the session has a model response: the surviving process made progress. */
export async function progressed(store: SessionStore, sessionId: string, timeoutMs: number): Promise<number> {
  const ref = sessionRef('default', sessionId);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const events = await store.readEvents(ref);
    if (events.some((event) => event.kind === 'model_response')) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`session ${sessionId} made no progress within ${timeoutMs} ms`);
}

/** Crash points spread over the first seconds of the model call. */
export function killDelays(count: number): number[] {
  return Array.from(
    { length: count },
    (_, index) => 200 + Math.round((index * 4_000) / Math.max(1, count - 1)),
  );
}
