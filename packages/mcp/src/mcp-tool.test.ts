import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { argumentsValidator, exposedName, resultOutput, toolPolicy } from './mcp-tool.js';

describe('toolPolicy', () => {
  it('runs a tool without annotations at most once, as MCP defaults it to destructive and not idempotent', () => {
    expect(toolPolicy(undefined, undefined, false)).toEqual({
      execution: 'at-most-once',
      needsApproval: false,
    });
  });

  it('lets read-only and idempotent tools run again', () => {
    expect(toolPolicy({ readOnlyHint: true }, undefined, false).execution).toBe('idempotent');
    expect(toolPolicy({ destructiveHint: true, idempotentHint: true }, undefined, false).execution).toBe(
      'idempotent',
    );
    expect(toolPolicy({ destructiveHint: false }, undefined, false).execution).toBe('at-most-once');
  });

  it('asks approval for destructive tools only when approveDestructive says so', () => {
    expect(toolPolicy({ destructiveHint: true }, undefined, true).needsApproval).toBe(true);
    expect(toolPolicy(undefined, undefined, true).needsApproval).toBe(true);
    expect(toolPolicy({ destructiveHint: false }, undefined, true).needsApproval).toBe(false);
    expect(toolPolicy({ readOnlyHint: true }, undefined, true).needsApproval).toBe(false);
  });

  it('lets the config by name win over the annotations', () => {
    expect(
      toolPolicy({ readOnlyHint: true }, { execution: 'at-most-once', needsApproval: true }, false),
    ).toEqual({
      execution: 'at-most-once',
      needsApproval: true,
    });
    expect(toolPolicy({ destructiveHint: true }, { needsApproval: false }, true).needsApproval).toBe(false);
  });
});

describe('argumentsValidator', () => {
  it('checks arguments against the JSON Schema before any request', () => {
    const schema = argumentsValidator({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { orderId: { type: 'string' } },
      required: ['orderId'],
    });
    expect(schema.safeParse({ orderId: '42' }).success).toBe(true);
    expect(schema.safeParse({ orderId: 42 }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
  });
});

describe('exposedName', () => {
  it('keeps to the providers rule for tool names', () => {
    expect(exposedName('crm_', 'orders.find')).toBe('crm_orders_find');
    expect(exposedName('', 'x'.repeat(80))).toHaveLength(64);
  });
});

describe('resultOutput', () => {
  it('prefers structured content, else the text, and turns isError into a thrown error', () => {
    expect(resultOutput({ content: [{ type: 'text', text: '{}' }], structuredContent: { a: 1 } })).toEqual({
      a: 1,
    });
    expect(resultOutput({ content: [{ type: 'text', text: 'plain' }] })).toBe('plain');
    expect(() => resultOutput({ content: [{ type: 'text', text: 'no such order' }], isError: true })).toThrow(
      'no such order',
    );
  });
});

describe('bundles', () => {
  it('leaves the MCP SDK out of an app bundle that uses only @baton/core', async () => {
    const entry = fileURLToPath(new URL('../../core/src/index.ts', import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      conditions: ['@baton/source'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('packages/core/src/tool-source.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('modelcontextprotocol'))).toEqual([]);
  });
});
