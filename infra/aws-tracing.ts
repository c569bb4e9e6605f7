/**
 * OpenTelemetry export from the Lambda functions through the AWS Distro for OpenTelemetry (ADOT)
 * layer. Baton's spans use `@opentelemetry/api` only; the layer's wrapper registers an SDK with an
 * exporter before the handler module loads, and the bundle's copy of the API finds it through the
 * API's global (packages/aws/src/otlp-tracing.int.test.ts runs that path against an OTLP receiver).
 */
export interface AwsTracingOptions {
  /**
   * The ADOT Node.js layer for the stack's region and architecture (arm64), e.g.
   * `arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-nodejs-arm64-ver-1-30-2:1`.
   */
  adotLayerArn: string;
  /**
   * Where spans go over OTLP/HTTP (a collector, or a vendor's endpoint). Omit for the layer's
   * default export to AWS X-Ray, which grants the functions X-Ray's two write actions.
   */
  otlpEndpoint?: string;
  /** The layer's wrapper script. Default `/opt/otel-handler`; the newer ADOT "Distro" layers use `/opt/otel-instrument`. */
  wrapper?: string;
  /** `service.name` of the spans. Default `baton`. */
  serviceName?: string;
}

/** Variables the layer reads (Baton's handlers never do): the infra contract counts them as consumed. */
export const ADOT_VARIABLES = [
  'AWS_LAMBDA_EXEC_WRAPPER',
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
] as const;

/** What the layer's X-Ray export calls. X-Ray's write actions have no resource type, hence `*`. */
export const XRAY_WRITE = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export interface AwsTracing {
  /** Set only with tracing: the functions otherwise keep no layer at all. */
  layers?: string[];
  environment: Record<string, string>;
  /** IAM grants (aws-permissions.ts's Permission; plain strings, so tests import this file without SST's globals). */
  permissions: { actions: string[]; resources: string[] }[];
}

const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/;

/**
 * The layer, environment and grants every function gets for `options`; nothing at all without them.
 *
 * @example
 * const tracing = adotTracing({ adotLayerArn: 'arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-nodejs-arm64-ver-1-30-2:1', otlpEndpoint: 'https://otel.example.com' });
 */
export function adotTracing(options: AwsTracingOptions | undefined): AwsTracing {
  if (!options) return { environment: {}, permissions: [] };
  if (!LAYER_ARN.test(options.adotLayerArn)) {
    throw new Error(
      `tracing.adotLayerArn must be a Lambda layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>), got ${JSON.stringify(options.adotLayerArn)}`,
    );
  }
  const endpoint = options.otlpEndpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new Error(`tracing.otlpEndpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  }
  return {
    layers: [options.adotLayerArn],
    environment: {
      AWS_LAMBDA_EXEC_WRAPPER: options.wrapper ?? '/opt/otel-handler',
      OTEL_SERVICE_NAME: options.serviceName ?? 'baton',
      ...(endpoint === undefined
        ? {}
        : { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    },
    permissions: endpoint === undefined ? [{ actions: [...XRAY_WRITE], resources: ['*'] }] : [],
  };
}
