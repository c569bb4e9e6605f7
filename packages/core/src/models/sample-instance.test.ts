import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkAnswer, outputSchema } from '../structured-output.js';
import { offlineModel } from './offline-model.js';
import { sampleInstance } from './sample-instance.js';

const order = z.object({
  id: z.string(),
  placedAt: z.iso.datetime(),
  status: z.enum(['open', 'shipped']),
  total: z.number().positive(),
  count: z.number().int().min(1),
  lines: z.array(z.object({ sku: z.string().min(3), qty: z.number() })).min(1),
  gift: z.boolean(),
  note: z.string().nullable(),
});

describe('sampleInstance', () => {
  it('builds a value the schema accepts, strings holding the given text', () => {
    const schema = outputSchema(order, 'test');
    const value = sampleInstance(schema.schema, 'ab');
    expect(schema.validator.safeParse(value).success).toBe(true);
    expect(value).toMatchObject({ id: 'ab', status: 'open', lines: [{ sku: 'ab.' }] });
  });

  it('follows local $refs', () => {
    const schema = {
      type: 'object',
      properties: { item: { $ref: '#/$defs/item' } },
      $defs: { item: { type: 'object', properties: { n: { type: 'integer', minimum: 2 } } } },
    };
    expect(sampleInstance(schema, 'x')).toEqual({ item: { n: 2 } });
  });
});

describe('offlineModel with an output schema', () => {
  it('answers with JSON that matches the schema', async () => {
    const schema = outputSchema({ name: 'order', schema: order }, 'test');
    const response = await offlineModel({ deltaMs: 0 }).generate({
      instructions: '',
      messages: [{ role: 'user', content: 'order 7' }],
      tools: [],
      sessionKey: 's',
      output: { name: schema.name, schema: schema.schema },
    });
    expect(checkAnswer(response.text, schema)).toMatchObject({ ok: true, output: { id: 'order 7' } });
  });
});
