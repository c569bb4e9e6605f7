import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import type { Model, ModelResponse } from './model.js';

/**
 * OpenTelemetry spans following the GenAI semantic conventions: `invoke_agent` per invocation,
 * `chat` per model call, `execute_tool` per tool call. Only the API is used: with no SDK registered
 * they cost nothing, and users attach whatever exporter their cloud wants. One run is one trace,
 * however many invocations it spans, because the run's trace context is stored on the session head.
 */
const tracer = () => trace.getTracer('@baton/core');

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A W3C traceparent for a span context (the form stored on the head). */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The remote parent context a stored traceparent names; null when absent or malformed. */
export function parseTraceparent(value: string | undefined): SpanContext | null {
  const match = value ? TRACEPARENT.exec(value) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return null;
  return {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
}

/** The context a new invocation span starts in: the run's stored trace if any, else whatever is active. */
export function runParentContext(traceparent: string | undefined): Context {
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(context.active(), parent) : context.active();
}

export function startSpan(name: string, parent: Context, kind: SpanKind, attributes: Attributes): Span {
  return tracer().startSpan(name, { kind, attributes }, parent);
}

/** Runs `fn` in a child span of `parent`, recording errors on the span. */
export async function withSpan<T>(
  name: string,
  parent: Context,
  kind: SpanKind,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, parent, kind, attributes);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  span.setAttribute('error.type', (error as { code?: string }).code ?? err.name);
}

/** A `chat` span around one model call, with the response's model, usage and finish reason. */
export function traceModelCall(
  parent: Context,
  model: Model,
  call: () => Promise<ModelResponse>,
): Promise<ModelResponse> {
  return withSpan(
    `chat ${model.modelId}`,
    parent,
    SpanKind.CLIENT,
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': model.provider,
      'gen_ai.request.model': model.modelId,
    },
    async (span) => {
      const response = await call();
      span.setAttributes({
        'gen_ai.response.model': response.model,
        'gen_ai.usage.input_tokens': response.usage.inputTokens,
        'gen_ai.usage.output_tokens': response.usage.outputTokens,
        'gen_ai.response.finish_reasons': [response.stopReason],
      });
      return response;
    },
  );
}

export { SpanKind };
