import { defineAgent, defineBaton } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { reply, ScriptedModel } from './scripted-model.js';
import { testApp } from './test-app.js';

describe('testApp', () => {
  it("returns a run's structured output when the message gives an output schema", async () => {
    const model = new ScriptedModel([reply('{"shipped":true}')]);
    const t = testApp(
      defineBaton({ agents: [defineAgent({ name: 'orders', instructions: 'Track orders.' })] }),
      {
        model,
      },
    );
    const schema = { type: 'object', properties: { shipped: { type: 'boolean' } }, required: ['shipped'] };

    const answer = await t.send('s1', 'is 42 shipped?', { output: { name: 'status', schema } });

    expect(answer).toMatchObject({ state: 'finished', output: { shipped: true } });
    expect(model.calls[0]!.output).toEqual({ name: 'status', schema });
  });
});
