import type { CosmosClientOptions, PluginConfig } from '@azure/cosmos';
import { queryRu, readRu, writeRu } from './cosmos-units.js';
import type { RequestUnits } from './units.js';

/**
 * Meters a Cosmos DB client from the outside: a request plugin (the SDK's `plugins` client option)
 * sees every document request, keeps the charge the server reported, and prices the same request
 * by the documented figures (cosmos-units.ts).
 *
 * @example
 * const meter = meterCosmos();
 * new CosmosStore({ clientOptions: meter.options({ endpoint, key }), ...names });
 */
export interface CosmosMeter {
  /** Client options with the meter's plugin added. */
  options(options: CosmosClientOptions): CosmosClientOptions;
  read(): Pick<RequestUnits, 'cosmosRu' | 'cosmosReportedRu' | 'cosmosRequests'>;
}

function bytesOf(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

/** A request body as the SDK holds it: an object, or already serialized (batches are). */
function parsed(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

type BatchOperation = { operationType?: string; resourceBody?: unknown };

/** Documented RU of one document request, from its operation, what it sent and what came back. */
export function documentedRu(operation: string, body: unknown, result: unknown): number {
  switch (operation) {
    case 'create':
    case 'replace':
    case 'upsert':
    case 'patch':
      return writeRu(bytesOf(body));
    case 'delete':
      return writeRu(0);
    case 'read':
      return readRu(bytesOf(result));
    case 'query': {
      const documents = (result as { Documents?: unknown[] } | undefined)?.Documents ?? [];
      return queryRu(documents.reduce((sum: number, d) => sum + bytesOf(d), 0));
    }
    case 'batch': {
      const operations = parsed(body);
      return (Array.isArray(operations) ? (operations as BatchOperation[]) : []).reduce((sum, op) => {
        const type = (op.operationType ?? '').toLowerCase();
        if (type === 'read') return sum + readRu(0);
        return sum + writeRu(bytesOf(op.resourceBody));
      }, 0);
    }
    default:
      return 0;
  }
}

export function meterCosmos(): CosmosMeter {
  const totals = { cosmosRu: 0, cosmosReportedRu: 0, cosmosRequests: 0 };
  const plugin: PluginConfig = {
    on: 'request',
    plugin: async (context, _diagnosticNode, next) => {
      const response = await next(context);
      // Metadata and query plans are the SDK's own requests, not the store's document operations.
      if (context.resourceType !== 'docs' || context.headers?.['x-ms-cosmos-is-query-plan-request'])
        return response;
      totals.cosmosRequests++;
      totals.cosmosReportedRu += Number(response.headers?.['x-ms-request-charge'] ?? 0) || 0;
      totals.cosmosRu += documentedRu(String(context.operationType ?? ''), context.body, response.result);
      return response;
    },
  };
  return {
    options: (options) => ({ ...options, plugins: [plugin] }) as CosmosClientOptions,
    read: () => ({ ...totals }),
  };
}
