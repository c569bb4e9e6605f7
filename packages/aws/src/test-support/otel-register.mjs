/**
 * What the ADOT Lambda layer's wrapper (AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler) does before the
 * handler module loads, for tests: registers an OpenTelemetry NodeTracerProvider (global tracer
 * provider, AsyncLocalStorage context manager, W3C propagator) whose batch processor sends spans to
 * OTEL_EXPORTER_OTLP_ENDPOINT over OTLP/HTTP. Load it with `node --import <this file>`. The layer
 * flushes after every invocation; a test process flushes when its work is done.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const provider = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
provider.register();
process.once('beforeExit', () => {
  void provider.shutdown();
});
