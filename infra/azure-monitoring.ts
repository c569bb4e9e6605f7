/** The function @baton/azure's registerBaton puts on the poison queue; its invocations raise the alert. */
export const POISON_FUNCTION_NAME = 'baton-runs-poison';

/**
 * Application Insights (on a Log Analytics workspace, billed per GB ingested) and the alert on
 * poisoned runs. Storage queue metrics exist per account, not per queue, so the alert counts the
 * poison function's invocations instead: each one is a run that exhausted its deliveries.
 */
export function azureMonitoring(
  stem: string,
  scope: { resourceGroupName: $util.Input<string>; location: $util.Input<string> },
  alarmEmail: string | undefined,
) {
  const workspace = new azurenative.operationalinsights.Workspace(`${stem}-logs`, {
    ...scope,
    sku: { name: 'PerGB2018' },
    retentionInDays: 30,
  });
  const insights = new azurenative.applicationinsights.Component(`${stem}-insights`, {
    ...scope,
    kind: 'web',
    applicationType: 'web',
    ingestionMode: 'LogAnalytics',
    workspaceResourceId: workspace.id,
    // Telemetry only from Entra ID identities (the app's): the connection string is not a credential.
    disableLocalAuth: true,
  });
  const actionGroup = new azurenative.monitor.ActionGroup('alerts', {
    resourceGroupName: scope.resourceGroupName,
    location: 'global',
    groupShortName: 'baton',
    enabled: true,
    emailReceivers: alarmEmail
      ? [{ name: 'operator', emailAddress: alarmEmail, useCommonAlertSchema: true }]
      : [],
  });
  new azurenative.monitor.ScheduledQueryRule('runs-poisoned', {
    ...scope,
    description: 'Baton runs reached the poison queue: see docs/deploy.md (Alarms)',
    severity: 2,
    enabled: true,
    scopes: [insights.id],
    evaluationFrequency: 'PT5M',
    windowSize: 'PT5M',
    criteria: {
      allOf: [
        {
          query: `requests | where operation_Name == '${POISON_FUNCTION_NAME}'`,
          timeAggregation: 'Count',
          operator: 'GreaterThan',
          threshold: 0,
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
        },
      ],
    },
    actions: { actionGroups: [actionGroup.id] },
  });
  return insights;
}
