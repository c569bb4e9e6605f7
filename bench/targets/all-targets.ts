import type { BenchTarget } from '../harness.js';

/**
 * Every framework and store the benchmark runs, in the order the tables list them. Loaded lazily:
 * a benchmark process imports only the framework it measures.
 */
const TARGETS: Record<string, () => Promise<BenchTarget>> = {
  'baton-sqlite': async () => (await import('./baton-sqlite.js')).batonSqlite,
  'baton-dynamodb': async () => (await import('./baton-dynamodb.js')).batonDynamo,
  'baton-cosmos': async () => (await import('./baton-cosmos.js')).batonCosmos,
  'openai-agents': async () => (await import('./openai-agents.js')).openAIAgentsTarget,
  langgraph: async () => (await import('./langgraph.js')).langGraphTarget,
  'ai-sdk': async () => (await import('./ai-sdk.js')).aiSdkTarget,
  floor: async () => (await import('./floor.js')).floorTarget,
};

export const TARGET_IDS: readonly string[] = Object.keys(TARGETS);

export function loadTarget(id: string): Promise<BenchTarget> {
  const load = TARGETS[id];
  if (!load) throw new Error(`unknown target ${id}; known: ${TARGET_IDS.join(', ')}`);
  return load();
}
