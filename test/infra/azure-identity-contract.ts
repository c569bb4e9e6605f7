import { callsOf, type Recording, referencePath, resourcesOf, text } from './recording.js';

/** The storage roles the host needs. */
const STORAGE_ROLES = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
};

/** How the app's reach to its storage account differs from using its managed identity alone. */
export function identityMismatches(
  recording: Recording,
  appName: string,
  settings: Map<string, string>,
): string[] {
  const problems: string[] = [];
  const principal = `${appName}.identity.principalId`;
  for (const call of callsOf(
    recording,
    /list(StorageAccountKeys|DatabaseAccountKeys|DatabaseAccountConnectionStrings)/,
  )) {
    problems.push(`reads account keys (${call.target}): the app must use its managed identity`);
  }
  for (const [name, value] of settings) {
    if (/AccountKey=|SharedAccessSignature=|sig=/.test(value))
      problems.push(`${name} carries a storage key or SAS`);
  }
  const storage = resourcesOf(recording, 'azurenative.storage.StorageAccount')[0];
  if (settings.get('AzureWebJobsStorage__accountName') !== `\${${storage?.name}.name}`)
    problems.push("AzureWebJobsStorage__accountName is not the storage account's name");
  const assignments = resourcesOf(recording, 'azurenative.authorization.RoleAssignment');
  for (const [role, id] of Object.entries(STORAGE_ROLES)) {
    const found = assignments.some(
      (a) =>
        text(a.args.roleDefinitionId).endsWith(`/roleDefinitions/${id}`) &&
        referencePath(a.args.scope) === `${storage?.name}.id` &&
        referencePath(a.args.principalId) === principal,
    );
    if (!found) problems.push(`the app's identity lacks ${role} on the storage account`);
  }
  return problems;
}
