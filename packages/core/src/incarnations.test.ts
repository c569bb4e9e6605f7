import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../test/kit.js';
import type { ModelRequest } from './model.js';

/**
 * Issue 15, defect 2: DELETE while a run is in progress, then a new message on the same id. The
 * new session restarts at version 1, so the deleted session's run, still holding its old head, can
 * reach the same version as the new one; it must stop (fenced) without touching the new session,
 * and the new user's input must be answered.
 */

interface Gate {
  reached: Promise<void>;
  open(): void;
  wait(): Promise<void>;
}

/** A point the model call stops at until the test opens it; `reached` resolves when it is hit. */
function gate(): Gate {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    reached,
    open,
    wait: () => {
      reach();
      return opened;
    },
  };
}

/** The same shape of run for both lives of the session: note, then (after a gate) the answer. */
function script(gates: { old: Gate; fresh: Gate }) {
  return async (request: ModelRequest) => {
    const text = JSON.stringify(request.messages);
    const life = text.includes('old question') ? 'old' : 'fresh';
    if (!request.messages.some((message) => message.role === 'tool')) {
      return callTools([{ name: 'add_note', args: { text: `${life} note` }, callId: 'n1' }]);
    }
    await gates[life].wait();
    return reply(`${life} answer`);
  };
}

describe('a session deleted and created again while its old run goes on', () => {
  it('answers the new input, and fences the old run without writing to the new session', async () => {
    const gates = { old: gate(), fresh: gate() };
    const t = kit(script(gates));

    await t.baton.submit(t.ref, { text: 'old question', source: 'test', dedupeKey: 'old-trigger' });
    const oldRun = t.baton.run(t.ref, { deadline: t.later(), owner: 'old-run' });
    await gates.old.reached;
    const staleHead = (await t.store.readHead(t.ref))!;
    // The note's result and tool state wait to be committed with the answer.
    expect(staleHead.toolState).toEqual({});

    await t.baton.delete(t.ref);
    await t.baton.submit(t.ref, { text: 'new question', source: 'test', dedupeKey: 'new-trigger' });
    const newRun = t.baton.run(t.ref, { deadline: t.later(), owner: 'new-run' });
    await gates.fresh.reached;
    const fresh = (await t.store.readHead(t.ref))!;
    // The dangerous case: the old run's head and the new one agree on everything a version check sees.
    expect({ version: fresh.version, seq: fresh.seq, epoch: fresh.lease?.epoch }).toEqual({
      version: staleHead.version,
      seq: staleHead.seq,
      epoch: staleHead.lease?.epoch,
    });
    expect(fresh.incarnation).not.toBe(staleHead.incarnation);

    gates.old.open();
    expect(await oldRun).toEqual({ kind: 'fenced' });
    expect(await t.store.readHead(t.ref)).toEqual(fresh);

    gates.fresh.open();
    expect(await newRun).toMatchObject({ kind: 'finished', text: 'fresh answer' });

    const session = await t.store.load(t.ref);
    expect(session?.head).toMatchObject({
      incarnation: fresh.incarnation,
      status: 'idle',
      lease: null,
      toolState: { notes: ['fresh note'] },
    });
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual([
      'input',
      'model_response',
      'tool_result',
      'model_response',
      'run_finished',
    ]);
    for (const stale of ['old question', 'old note', 'old answer']) {
      expect(JSON.stringify(events)).not.toContain(stale);
    }
    expect(await t.store.getDedupe(t.ref, 'input:old-trigger')).toBeNull();
    expect(await t.store.getDedupe(t.ref, 'input:new-trigger')).toMatchObject({ result: { seq: 1 } });
  });
});

describe('a session deleted and created again between a run loading it and taking its lease', () => {
  it('runs the new session on its own events, never the deleted ones', async () => {
    const t = kit((request) => reply(`answered: ${JSON.stringify(request.messages)}`));
    await t.baton.submit(t.ref, { text: 'old question', source: 'test' });
    // The run has loaded the old session (version 1); its lease commit meets the new one, also at version 1.
    const commit = t.store.commit.bind(t.store);
    let raced = false;
    t.store.commit = async (request) => {
      if (!raced && request.head.lease?.owner === 'racing-run') {
        raced = true;
        await t.baton.delete(t.ref);
        await t.baton.submit(t.ref, { text: 'new question', source: 'test' });
      }
      return commit(request);
    };

    const outcome = await t.baton.run(t.ref, { deadline: t.later(), owner: 'racing-run' });

    expect(raced).toBe(true);
    expect(outcome).toMatchObject({ kind: 'finished' });
    expect(JSON.stringify(t.model.calls)).toContain('new question');
    expect(JSON.stringify(t.model.calls)).not.toContain('old question');
    expect(JSON.stringify(await t.store.readEvents(t.ref))).not.toContain('old question');
  });
});
