import { ADOT_VARIABLES, XRAY_WRITE } from '../../infra/aws-tracing.js';
import type { DeployedFunction } from './aws-contract.js';
import { grantsOf } from './aws-iam-contract.js';

const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/;

/**
 * How the functions' OpenTelemetry wiring would fail on Lambda, as sentences: a wrapper without the
 * layer that provides it fails every invocation, a layer without its wrapper exports nothing, the
 * layer's X-Ray export needs X-Ray's write grants, and a function left out breaks the one trace a run
 * spans across the HTTP and worker invocations. Empty when every function has tracing or none does.
 */
export function tracingMismatches(functions: readonly DeployedFunction[]): string[] {
  const problems: string[] = [];
  const traced = functions.filter((fn) => environmentOf(fn).AWS_LAMBDA_EXEC_WRAPPER !== undefined);
  if (traced.length > 0) {
    for (const fn of functions.filter((one) => !traced.includes(one))) {
      problems.push(
        `${fn.label}: exports no spans while the other functions do, so runs it continues lose their trace`,
      );
    }
  }
  for (const fn of functions) {
    const environment = environmentOf(fn);
    const layers = ((fn.args.layers as unknown[]) ?? []).map(String);
    const wrapper = environment.AWS_LAMBDA_EXEC_WRAPPER;
    const xray = grantsOf(fn).filter((grant) => grant.startsWith('xray:'));
    if (wrapper === undefined) {
      if (layers.length > 0)
        problems.push(
          `${fn.label}: deploys layer ${layers[0]} without its wrapper (AWS_LAMBDA_EXEC_WRAPPER): it exports nothing`,
        );
      for (const name of ADOT_VARIABLES) {
        if (name in environment) problems.push(`${fn.label}: sets ${name} without the ADOT layer`);
      }
      if (xray.length > 0) problems.push(`${fn.label}: grants ${xray[0]} without the ADOT layer`);
      continue;
    }
    if (!layers.some((layer) => LAYER_ARN.test(layer))) {
      problems.push(
        `${fn.label}: sets AWS_LAMBDA_EXEC_WRAPPER=${wrapper} but deploys no layer: every invocation fails to start`,
      );
    }
    const toXray = environment.OTEL_EXPORTER_OTLP_ENDPOINT === undefined;
    for (const action of XRAY_WRITE) {
      const granted = xray.includes(`${action} on *`);
      if (toXray && !granted)
        problems.push(`${fn.label}: lacks ${action}, which the layer's X-Ray export calls`);
      if (!toXray && granted)
        problems.push(`${fn.label}: grants ${action} although spans go to an OTLP endpoint`);
    }
  }
  return problems;
}

function environmentOf(fn: DeployedFunction): Record<string, unknown> {
  return (fn.args.environment as Record<string, unknown>) ?? {};
}
