import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsMismatches, deployedFunctions } from './aws-contract.js';
import { type AwsFacts, awsFacts } from './aws-facts.js';
import { appSettingsOf, azureMismatches } from './azure-contract.js';
import { type AzureFacts, azureFacts } from './azure-facts.js';
import {
  bundleFolder,
  everySetting,
  INFRA_DIR,
  mismatchedCopy,
  removeCopies,
  settingsOf,
} from './infra-copy.js';
import { callsOf, type Recording, recordInfra, referencePath } from './recording.js';

const CONSOLE_ROUTES = [
  'GET /console',
  'GET /console/{proxy+}',
  'GET /console/login',
  'POST /console/login',
  'GET /console/assets/{name}',
];
const JWT = { jwt: { issuer: 'https://issuer.example', audience: ['baton'] } };

/** The console's option in both stacks: off by default; on, the route and the setting the handlers read. */
describe('the console option of the stacks', () => {
  afterAll(removeCopies);

  describe('infra/aws.ts', () => {
    let facts: AwsFacts;
    let bundleDir: string;
    beforeAll(async () => {
      bundleDir = bundleFolder(['http.mjs', 'worker.mjs', 'sweeper.mjs']);
      facts = await awsFacts(bundleDir);
    });

    /** infra/aws.ts of `dir` evaluated with every optional setting in the deploy environment. */
    const record = async (dir: string, options: Record<string, unknown>) => {
      const settings = await settingsOf(dir);
      const env = everySetting([
        ...settings.MODEL_SETTINGS,
        ...settings.AUTH_SETTINGS,
        ...settings.AWS_TUNING,
      ]);
      return recordInfra(join(dir, 'aws.ts'), 'deployAws', [bundleDir, { env, ...options }]);
    };
    const mismatches = async (dir: string, recording: Recording) =>
      awsMismatches(recording, facts, (await settingsOf(dir)).AWS_LEFT_UNSET);
    const consoleRoutes = (recording: Recording) =>
      callsOf(recording, /\.route$/).filter((call) => String(call.args[0]).includes(' /console'));
    const environments = (recording: Recording) =>
      Object.fromEntries(
        deployedFunctions(recording, facts).map((fn) => [
          fn.label,
          (fn.args.environment as Record<string, unknown> | undefined)?.BATON_CONSOLE,
        ]),
      );

    it('serves no console by default: no /console route, BATON_CONSOLE unset everywhere', async () => {
      const recording = await record(INFRA_DIR, {});
      expect(consoleRoutes(recording)).toEqual([]);
      expect(Object.values(environments(recording)).filter(Boolean)).toEqual([]);
      expect(recording.outputs).not.toHaveProperty('console');
    });

    it('with console: true routes /console to the HTTP function, which alone gets BATON_CONSOLE=on', async () => {
      const recording = await record(INFRA_DIR, { console: true });
      const routes = consoleRoutes(recording);
      expect(routes.map((call) => call.args[0]).sort()).toEqual([...CONSOLE_ROUTES].sort());
      for (const call of routes) expect(referencePath(call.args[1])).toBe('Http.arn');
      const byFunction = environments(recording);
      expect(byFunction['Function Http']).toBe('on');
      expect(Object.entries(byFunction).filter(([, value]) => value !== undefined)).toEqual([
        ['Function Http', 'on'],
      ]);
      // Every route is one the handler serves (the console's specs), every variable accounted for.
      expect(await mismatches(INFRA_DIR, recording)).toEqual([]);
    });

    it('puts the pages behind a JWT authorizer and leaves the sign-in form and its assets open', async () => {
      const recording = await record(INFRA_DIR, { console: true, auth: JWT });
      const guarded = Object.fromEntries(
        consoleRoutes(recording).map((call) => [
          call.args[0],
          Boolean((call.args[2] as { auth?: { jwt?: unknown } } | undefined)?.auth?.jwt),
        ]),
      );
      expect(guarded).toEqual({
        'GET /console': true,
        'GET /console/{proxy+}': true,
        'GET /console/login': false,
        'POST /console/login': false,
        'GET /console/assets/{name}': false,
      });
    });

    it('reports a console route the handler does not serve when a copy adds one', async () => {
      const dir = mismatchedCopy(
        'aws.ts',
        "'POST /console/login',\n  'GET /console/assets/{name}',\n] as const;",
        "'POST /console/login',\n  'GET /console/assets/{name}',\n  'DELETE /console/{proxy+}',\n] as const;",
      );
      expect(await mismatches(dir, await record(dir, { console: true }))).toContain(
        'route DELETE /console/{proxy+} is not one the HTTP handler serves',
      );
    });
  });

  describe('infra/azure.ts', () => {
    let facts: AzureFacts;
    let appDir: string;
    beforeAll(async () => {
      appDir = bundleFolder(['package.json', 'host.json', 'app.mjs']);
      facts = await azureFacts(appDir);
    });

    const record = async (options: Record<string, unknown>) => {
      const settings = await settingsOf(INFRA_DIR);
      const env = everySetting([
        ...settings.MODEL_SETTINGS,
        ...settings.AUTH_SETTINGS,
        ...settings.AZURE_TUNING,
      ]);
      const now = new Date('2026-12-05T10:00:00Z');
      return recordInfra(join(INFRA_DIR, 'azure.ts'), 'deployAzure', [appDir, { env, now, ...options }], {
        values: {},
      });
    };

    it('sets BATON_CONSOLE=on only with console: true, and the stack agrees with the app either way', async () => {
      const settings = await settingsOf(INFRA_DIR);
      for (const on of [false, true]) {
        const recording = await record(on ? { console: true } : {});
        expect(appSettingsOf(recording)?.get('BATON_CONSOLE')).toBe(on ? 'on' : undefined);
        expect(Object.keys(recording.outputs).includes('azureConsole')).toBe(on);
        expect(
          azureMismatches(recording, facts, {
            leftUnset: settings.AZURE_LEFT_UNSET,
            hostOnly: settings.AZURE_HOST_SETTINGS,
            forbidden: settings.FLEX_FORBIDDEN_SETTINGS,
          }),
        ).toEqual([]);
      }
    });
  });
});
