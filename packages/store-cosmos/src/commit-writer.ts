import type { JSONObject, OperationInput, OperationResponse } from '@azure/cosmos';
import { type Clock, ConflictError, DuplicateError, StoreUnavailableError } from '@baton/core';
import { type CommitRequest, parseDedupe, sameIncarnation } from '@baton/core/store';
import { type BatchOutcome, errorForFailedOperation, readBatchOutcome } from './batch-outcome.js';
import { assertEventSizes, type BatchLimits, type CommitPlan, planCommit } from './commit-plan.js';
import type { CosmosGateway } from './cosmos-gateway.js';
import { type DedupeDocument, HEAD_ID, type HeadDocument, isExpired, partitionKeyOf } from './documents.js';
import type { CachedHead, HeadCache } from './head-cache.js';
import { expiriesFor, type Retention } from './retention.js';

export interface CommitWriterOptions {
  gateway: CosmosGateway;
  cache: HeadCache;
  clock: Clock;
  retention: Retention;
  maxEventBytes: number;
  batchLimits: BatchLimits | undefined;
  /** The current head with its ETag (a point read), null when missing or expired. */
  readHead(pk: string): Promise<CachedHead | null>;
  /** Deletes every document of a partition. */
  purge(pk: string): Promise<void>;
}

type Failure = Extract<BatchOutcome, { ok: false }>;

/**
 * Writes one commit: chunk documents first (if any), then one transactional batch whose first
 * operation is the head's condition. Nothing a reader can see changes unless the batch succeeds.
 */
export class CommitWriter {
  constructor(private readonly options: CommitWriterOptions) {}

  async commit(request: CommitRequest): Promise<void> {
    assertEventSizes(request.events, this.options.maxEventBytes);
    try {
      await this.attempt(request);
    } catch (error) {
      // A session whose head expired is gone for readers, but its documents may still be stored
      // (events expire long after their head; the emulator never deletes anything): a new session
      // of the same id replaces them instead of failing on their ids.
      const pk = partitionKeyOf(request.ref);
      if (
        request.expectedVersion === null &&
        error instanceof ConflictError &&
        (await this.purgeIfExpired(pk))
      ) {
        await this.attempt(request);
        return;
      }
      throw error;
    }
  }

  private async attempt(request: CommitRequest): Promise<void> {
    const { gateway, cache, clock, retention } = this.options;
    const pk = partitionKeyOf(request.ref);
    const previous = request.expectedVersion === null ? null : await this.headAt(pk, request);
    const now = clock.now();
    const plan = planCommit({
      request,
      pk,
      etag: previous?.etag ?? null,
      maxEventBytes: this.options.maxEventBytes,
      expiry: expiriesFor(now, request.head, retention),
      limits: this.options.batchLimits,
    });
    await this.writeChunks(pk, plan);
    // A batch that throws (timeout, throttled after the SDK's retries) has an unknown outcome: its
    // chunks stay, since the batch may have committed the events document that names them.
    const { status, results } = await gateway.batch(toOperations(plan, pk), pk, 'commit');
    const outcome = readBatchOutcome(status, results, plan.operations.length);
    if (outcome.ok) {
      gateway.stats.documentsWritten += plan.operations.length;
      gateway.stats.bytesWritten += plan.batchBytes;
      const head = plan.operations[0]!.document as HeadDocument;
      if (outcome.headEtag) {
        cache.set(pk, {
          version: request.head.version,
          etag: outcome.headEtag,
          contextStart: request.head.contextStart,
          head: request.head,
          document: head,
        });
      } else {
        cache.delete(pk);
      }
      return;
    }
    cache.delete(pk);
    await this.undoApplied(pk, plan, outcome, results, previous);
    await this.discardChunks(pk, plan);
    throw await this.errorFor(pk, plan, outcome);
  }

  /**
   * The stored head if it still has the expected version in the same incarnation (a session deleted
   * and created again restarts its versions); its ETag is what the batch conditions on, so the
   * head checked here is the one replaced.
   */
  private async headAt(pk: string, request: CommitRequest): Promise<CachedHead> {
    const matches = (head: CachedHead) =>
      head.version === request.expectedVersion && sameIncarnation(head.head, request.head);
    const cached = this.options.cache.get(pk);
    if (cached && matches(cached) && !isExpired(cached.document, this.options.clock.now())) return cached;
    const current = await this.options.readHead(pk);
    if (!current || !matches(current)) throw new ConflictError();
    return current;
  }

  private async writeChunks(pk: string, plan: CommitPlan): Promise<void> {
    if (plan.chunks.length === 0) return;
    const { gateway } = this.options;
    const written = await Promise.allSettled(
      plan.chunks.map((chunk) => gateway.create(chunk, 'write event chunks')),
    );
    const failed = written.find((result) => result.status === 'rejected');
    if (failed) {
      await this.discardChunks(pk, plan);
      throw failed.reason;
    }
  }

  /** Best effort: chunks nobody references are never read, and expire with the session's TTL. */
  private async discardChunks(pk: string, plan: CommitPlan): Promise<void> {
    if (plan.chunks.length === 0) return;
    const ids = plan.chunks.map((chunk) => chunk.id);
    await this.options.gateway.deleteAll(ids, pk, 'discard event chunks').catch(() => undefined);
  }

  /**
   * Real Cosmos rolls a failed batch back (207); a server that is not atomic (the local emulator,
   * which answers 200) keeps the operations before the failing one. Put them back so a refused
   * commit changes nothing there either.
   */
  private async undoApplied(
    pk: string,
    plan: CommitPlan,
    outcome: Failure,
    results: OperationResponse[],
    previous: CachedHead | null,
  ): Promise<void> {
    if (outcome.applied.length === 0) return;
    const undo: OperationInput[] = [...outcome.applied].reverse().map((index) => {
      const operation = plan.operations[index]!;
      if (operation.role === 'head' && operation.kind === 'Replace' && previous) {
        return {
          operationType: 'Replace',
          partitionKey: pk,
          id: HEAD_ID,
          ifMatch: results[index]?.eTag,
          resourceBody: asJson(previous.document),
        };
      }
      return { operationType: 'Delete', partitionKey: pk, id: operation.document.id };
    });
    const { results: undone } = await this.options.gateway.batch(undo, pk, 'undo a partly applied commit');
    if (undone.length !== undo.length || undone.some((result) => result.statusCode >= 300)) {
      throw new StoreUnavailableError(
        'a non-atomic batch left part of a commit behind and undoing it failed',
      );
    }
  }

  private async errorFor(pk: string, plan: CommitPlan, outcome: Failure): Promise<Error> {
    const operation = plan.operations[outcome.failedIndex];
    if (operation?.role === 'dedupe' && outcome.status === 409) {
      const stored = await this.options.gateway.read<DedupeDocument>(
        operation.document.id,
        pk,
        'read the original dedupe record',
      );
      if (stored && !isExpired(stored, this.options.clock.now())) {
        return new DuplicateError(parseDedupe(stored.dedupe));
      }
      // Recorded when the batch ran, gone now (deleted or expired): a retry can succeed.
      return new ConflictError('the dedupe record changed while committing; nothing was written');
    }
    return errorForFailedOperation(operation?.role, outcome.status);
  }

  private async purgeIfExpired(pk: string): Promise<boolean> {
    const stored = await this.options.gateway.read<HeadDocument>(HEAD_ID, pk, 'read an expired head');
    // No head at all: Cosmos deleted an expired one, and the session's events (which expire later)
    // are what the new session collided with.
    if (stored && !isExpired(stored, this.options.clock.now())) return false;
    await this.options.purge(pk);
    return true;
  }
}

function toOperations(plan: CommitPlan, pk: string): OperationInput[] {
  // Fresh objects every time: the SDK rewrites each operation's partitionKey in place.
  return plan.operations.map((operation) =>
    operation.kind === 'Replace'
      ? {
          operationType: 'Replace',
          partitionKey: pk,
          id: operation.document.id,
          ifMatch: operation.ifMatch,
          resourceBody: asJson(operation.document),
        }
      : { operationType: 'Create', partitionKey: pk, resourceBody: asJson(operation.document) },
  );
}

/** Our documents are plain JSON; the SDK's type just cannot see that through their interfaces. */
function asJson(document: object): JSONObject {
  return { ...document } as JSONObject;
}
