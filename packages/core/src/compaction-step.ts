import { modelContext } from './context.js';
import type { RunContext } from './run-context.js';

/** Replaces the turns before `boundary` with a summary, in one commit. */
export async function compact(run: RunContext, boundary: number): Promise<void> {
  await run.writer.ensureLease(run.agent.timing.modelCallMs + 1_000);
  const head = run.writer.head;
  const earlier = run.events.filter((event) => event.seq < boundary);
  const previous = run.events.find((event) => event.kind === 'summary' && event.seq === head.summarySeq);
  const { messages } = modelContext(head, earlier, run.agent);
  const summary = await run.agent.summarize({
    previousSummary: previous?.kind === 'summary' ? previous.text : null,
    messages,
    signal: run.deadlineSignal,
  });
  await run.commit(
    [
      {
        kind: 'summary',
        text: summary.text,
        throughSeq: boundary - 1,
        ...(summary.usage ? { usage: summary.usage } : {}),
      },
    ],
    (next) => ({
      ...next,
      contextStart: boundary,
      summarySeq: next.seq,
      usage: {
        inputTokens: next.usage.inputTokens + (summary.usage?.inputTokens ?? 0),
        outputTokens: next.usage.outputTokens + (summary.usage?.outputTokens ?? 0),
      },
    }),
  );
  // What was compacted is no longer needed in memory either.
  const keep = run.events.filter((event) => event.seq >= boundary);
  run.events.length = 0;
  run.events.push(...keep);
  run.logger.info('compacted the live context', { throughSeq: boundary - 1 });
}
