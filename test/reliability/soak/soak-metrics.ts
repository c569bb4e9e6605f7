import type { CommitRequest, Model, SessionStore } from '@baton/core';

/**
 * Step latency excluding the model: for each step a lease holder commits, the time from the moment
 * its input was there (the model's answer, or the previous commit of the session) to the commit's
 * answer. Lease changes without events only move the mark; appends by non-holders are not steps.
 */
export class StepMetrics {
  readonly latencies: number[] = [];
  commits = 0;
  appends = 0;
  private readonly marks = new Map<string, number>();

  modelAnswered(session: string): void {
    this.marks.set(session, performance.now());
  }

  committed(session: string, request: CommitRequest, started: number): void {
    this.commits++;
    const now = performance.now();
    const append =
      request.events.length > 0 &&
      request.events.every((event) => event.kind === 'input' || event.kind === 'decision');
    if (append) {
      this.appends++;
      return;
    }
    if (request.events.length > 0) this.latencies.push(now - Math.max(this.marks.get(session) ?? started, 0));
    this.marks.set(session, now);
  }

  percentile(p: number): number {
    if (this.latencies.length === 0) return 0;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }

  /** Wraps a store so its commits are measured. */
  measure(store: SessionStore): SessionStore {
    return {
      name: store.name,
      limits: store.limits,
      load: (ref) => store.load(ref),
      readHead: (ref) => store.readHead(ref),
      readEvents: (ref, options) => store.readEvents(ref, options),
      getDedupe: (ref, key) => store.getDedupe(ref, key),
      list: (query) => store.list(query),
      listPending: (query) => store.listPending(query),
      delete: (ref) => store.delete(ref),
      close: async () => store.close?.(),
      commit: async (request) => {
        const started = performance.now();
        await store.commit(request);
        this.committed(`${request.ref.tenant}/${request.ref.sessionId}`, request, started);
      },
    };
  }

  /** Wraps a model: `latencyMs` of simulated thinking, then marks the session for the next step. */
  timed(model: Model, latencyMs: () => number): Model {
    return {
      provider: model.provider,
      modelId: model.modelId,
      generate: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, latencyMs()));
        const response = await model.generate(request);
        this.modelAnswered(request.sessionKey);
        return response;
      },
    };
  }
}
