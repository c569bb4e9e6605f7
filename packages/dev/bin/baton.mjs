#!/usr/bin/env node
// Installed from npm, the package holds only the built JavaScript: plain Node runs dist/bin.js.
// In the Baton repository the TypeScript sources sit beside this file and run through tsx (a
// devDependency of the repository, never of this package), with the `@baton/source` export
// condition so that the other workspace packages resolve to their sources as well: no build step.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const source = new URL('../src/bin.ts', import.meta.url);

if (existsSync(source)) {
  // Hooks registered later run first: tsx's resolver calls on into this one, which adds the condition.
  const addCondition = `export async function resolve(specifier, context, next) {
    const conditions = context.conditions.includes('@baton/source') ? context.conditions : ['@baton/source', ...context.conditions];
    return next(specifier, { ...context, conditions });
  }`;
  register(`data:text/javascript,${encodeURIComponent(addCondition)}`);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  await import(source.href);
} else {
  await import('../dist/bin.js');
}
