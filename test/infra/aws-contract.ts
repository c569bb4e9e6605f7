import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { apiMismatches } from './aws-api-contract.js';
import type { AwsFacts } from './aws-facts.js';
import { iamMismatches } from './aws-iam-contract.js';
import { alarmMismatches, queueMismatches } from './aws-queue-contract.js';
import { streamingMismatches } from './aws-streaming-contract.js';
import { exportsOf } from './environment-reads.js';
import { REPO_ROOT } from './infra-copy.js';
import { type Recording, referencePath, resourcesOf } from './recording.js';
import { tableMismatches } from './table-contract.js';

export interface DeployedFunction {
  label: string;
  args: Record<string, unknown>;
  entry: string | undefined;
}

/**
 * Every way the recorded AWS infrastructure disagrees with the code, as readable sentences; empty
 * when they agree. `leftUnset` is infra's list of variables read but deliberately not set.
 */
export async function awsMismatches(
  recording: Recording,
  facts: AwsFacts,
  leftUnset: Readonly<Record<string, string>>,
): Promise<string[]> {
  const problems: string[] = [];
  const functions = deployedFunctions(recording, facts);

  for (const fn of functions) {
    const bundle = String(fn.args.bundle);
    const [, exported] = String(fn.args.handler).split('.');
    if (fn.entry === undefined) {
      problems.push(
        `${fn.label}: bundle ${bundle} handler ${fn.args.handler} is not a handler of the bundle (${facts.bundleDir}/{${facts.entries.join(',')}}.mjs)`,
      );
      continue;
    }
    if (fn.args.runtime !== 'nodejs24.x')
      problems.push(`${fn.label}: runtime ${fn.args.runtime} is not nodejs24.x`);
    const source = facts.built.get(fn.entry) ?? '';
    if (!existsSync(source))
      problems.push(`${fn.label}: the built ${fn.entry} handler ${source} does not exist`);
    else if (!(await exportsOf(source)).includes(exported ?? '')) {
      problems.push(`${fn.label}: the built ${relative(REPO_ROOT, source)} exports no "${exported}"`);
    }
    const environment = (fn.args.environment as Record<string, unknown>) ?? {};
    const declared = new Set(Object.keys(environment));
    const links = ((fn.args.link as unknown[]) ?? []).map(referencePath);
    const secretNames = new Set(resourcesOf(recording, 'sst.Secret').map((secret) => secret.name));
    for (const [name, value] of Object.entries(environment)) {
      const path = referencePath(value) ?? '';
      if (secretNames.has(path.replace(/\.value$/, ''))) {
        problems.push(
          `${fn.label}: ${name} carries secret ${path.replace(/\.value$/, '')} as a plain environment value`,
        );
      }
    }
    for (const link of links) {
      if (!link || !secretNames.has(link))
        problems.push(
          `${fn.label}: links ${link}, whose link grants wildcard actions; grant what it calls instead`,
        );
      else if (!(link in facts.secretVariables))
        problems.push(`${fn.label}: links secret ${link}, which the handlers never copy into a variable`);
    }
    // A linked secret reaches the handler as the variable it reads (linked-secrets at cold start).
    for (const [secret, variable] of Object.entries(facts.secretVariables)) {
      if (links.includes(secret)) declared.add(variable);
    }
    for (const name of facts.reads.get(fn.entry) ?? []) {
      if (!declared.has(name) && !(name in leftUnset)) {
        problems.push(
          `${fn.label}: the ${fn.entry} handler reads ${name}, which is neither set nor left unset on purpose`,
        );
      }
    }
    const linked = new Set(((fn.args.link as unknown[]) ?? []).map(referencePath));
    for (const name of facts.resourceReads.get(fn.entry) ?? []) {
      if (!linked.has(name))
        problems.push(`${fn.label}: the ${fn.entry} handler reads Resource.${name}, which is not linked`);
    }
    for (const name of Object.keys(environment)) {
      if (!facts.consumers.has(name)) problems.push(`${fn.label}: sets ${name}, which no handler code reads`);
    }
  }
  for (const name of Object.keys(leftUnset)) {
    if (!facts.consumers.has(name))
      problems.push(`left unset on purpose: ${name}, which no handler code reads`);
  }
  for (const entry of facts.entries) {
    if (!functions.some((fn) => fn.entry === entry))
      problems.push(`no function deploys the ${entry} handler`);
  }

  problems.push(...tableMismatches(recording, facts, functions));
  problems.push(...queueMismatches(recording, functions));
  problems.push(...iamMismatches(recording, facts, functions));
  problems.push(...alarmMismatches(recording));
  problems.push(...(await apiMismatches(recording, facts, functions)));
  problems.push(...streamingMismatches(recording, functions));

  if (resourcesOf(recording, 'sst.aws.CronV2').length + resourcesOf(recording, 'sst.aws.Cron').length === 0) {
    problems.push('no schedule runs the sweeper');
  }
  for (const secret of resourcesOf(recording, 'sst.Secret')) {
    const used = functions.some((fn) =>
      ((fn.args.link as unknown[]) ?? []).map(referencePath).includes(secret.name),
    );
    if (!used) problems.push(`secret ${secret.name} reaches no function`);
  }
  return problems;
}

/** The functions the recording deploys (plain and scheduled), each with the bundle entry its handler is. */
export function deployedFunctions(recording: Recording, facts: AwsFacts): DeployedFunction[] {
  const raw = [
    ...resourcesOf(recording, 'sst.aws.Function').map((r) => ({ label: `Function ${r.name}`, args: r.args })),
    ...[...resourcesOf(recording, 'sst.aws.CronV2'), ...resourcesOf(recording, 'sst.aws.Cron')].map((r) => ({
      label: `Cron ${r.name}`,
      args: (r.args.function ?? r.args.job) as Record<string, unknown>,
    })),
  ];
  return raw.map((fn) => {
    const bundle = String(fn.args.bundle);
    const [file = '', exported] = String(fn.args.handler).split('.');
    const entry = facts.entries.find(
      (name) =>
        exported !== undefined &&
        ((bundle === facts.bundleDir && file === name) ||
          (bundle === join(facts.bundleDir, name) && file === 'index')),
    );
    return { ...fn, entry };
  });
}
