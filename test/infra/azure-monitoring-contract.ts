import type { AzureFacts } from './azure-facts.js';
import { type Recording, referencePath, resourcesOf } from './recording.js';

/** How Application Insights and the poison-queue alert differ from what the app reports to them. */
export function monitoringMismatches(
  recording: Recording,
  facts: AzureFacts,
  appName: string,
  settings: Map<string, string>,
): string[] {
  const problems: string[] = [];
  const insights = resourcesOf(recording, 'azurenative.applicationinsights.Component')[0];
  if (!insights) return ['no Application Insights component'];
  if (settings.get('APPLICATIONINSIGHTS_CONNECTION_STRING') !== `\${${insights.name}.connectionString}`)
    problems.push("APPLICATIONINSIGHTS_CONNECTION_STRING is not the component's");
  if (insights.args.disableLocalAuth === true) {
    if (settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING') !== 'Authorization=AAD')
      problems.push('the component refuses keys but the app does not authenticate with Entra ID');
    const publisher = resourcesOf(recording, 'azurenative.authorization.RoleAssignment').some(
      (a) =>
        referencePath(a.args.scope) === `${insights.name}.id` &&
        referencePath(a.args.principalId) === `${appName}.identity.principalId`,
    );
    if (!publisher) problems.push("the app's identity may not publish telemetry to the component");
  }
  const poison = facts.queueFunctions.get(`${facts.defaultQueueName}-poison`);
  const alert = resourcesOf(recording, 'azurenative.monitor.ScheduledQueryRule').find((rule) =>
    ((rule.args.scopes as unknown[]) ?? []).some((scope) => referencePath(scope) === `${insights.name}.id`),
  );
  const criteria = (
    alert?.args.criteria as { allOf?: { query?: string; threshold?: number; operator?: string }[] }
  )?.allOf?.[0];
  if (!alert || !poison || !criteria?.query?.includes(`'${poison}'`))
    problems.push(`no alert fires on the poison function ${poison ?? '(not registered by the entry)'}`);
  else if (criteria.threshold !== 0 || criteria.operator !== 'GreaterThan')
    problems.push('the poison alert does not fire on the first poisoned run');
  return problems;
}
