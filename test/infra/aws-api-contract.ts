import type { DeployedFunction } from './aws-contract.js';
import type { AwsFacts } from './aws-facts.js';
import { callsOf, type Recording, referencePath } from './recording.js';
import { routeIsServed } from './served-routes.js';
import { seconds } from './sst-duration.js';

/** How the API's routes and the http function's timeout differ from what the HTTP handler serves. */
export async function apiMismatches(
  recording: Recording,
  facts: AwsFacts,
  functions: DeployedFunction[],
): Promise<string[]> {
  const problems: string[] = [];
  const http = functions.find((fn) => fn.entry === 'http' && fn.label.startsWith('Function '));
  if (!http) return ['no Function deploys the http handler for the API routes'];
  const httpName = http.label.replace(/^Function /, '');
  const timeout = seconds(http.args.timeout as string | undefined) ?? 20;
  if (timeout * 1000 < facts.httpBudgetMs) {
    problems.push(
      `the http function's timeout (${timeout} s) is shorter than the budget it plans with (${facts.httpBudgetMs} ms)`,
    );
  }
  const routes = callsOf(recording, /\.route$/);
  if (routes.length === 0) problems.push('the API declares no routes');
  for (const route of routes) {
    const [key, handler] = route.args as [string, unknown];
    if (referencePath(handler) !== `${httpName}.arn`)
      problems.push(`route ${key} does not reach the http function`);
    const [, path = ''] = key.split(' ');
    if (path.startsWith('/slack/')) {
      const kind = path.slice('/slack/'.length);
      if (!facts.slackKinds.includes(kind))
        problems.push(`route ${key} is not a Slack request kind (${facts.slackKinds.join(', ')})`);
    } else if (!(await routeIsServed(key))) {
      problems.push(`route ${key} is not one the HTTP handler serves`);
    }
  }
  return problems;
}
