import { describe, expect, it } from 'vitest';
import { httpFunctions } from './http-routes.js';

describe('httpFunctions', () => {
  it("keeps Slack's routes and the health check anonymous and puts the API at the given level", () => {
    for (const level of ['function', 'anonymous'] as const) {
      const byRoute = Object.fromEntries(httpFunctions(level).map((fn) => [fn.route, fn]));
      expect(byRoute['slack/{kind}']).toMatchObject({ methods: ['POST'], authLevel: 'anonymous' });
      expect(byRoute.healthz).toMatchObject({ methods: ['GET'], authLevel: 'anonymous' });
      expect(byRoute['{*path}']).toMatchObject({ methods: ['GET', 'POST', 'DELETE'], authLevel: level });
    }
  });

  it('names every specific route so the host, which tries them alphabetically, reaches it before the catch-all', () => {
    const functions = httpFunctions('function');
    const catchAll = functions.find((fn) => fn.route.startsWith('{*'))!;
    for (const fn of functions.filter((other) => other !== catchAll)) {
      expect(fn.name.localeCompare(catchAll.name), fn.name).toBeLessThan(0);
    }
  });
});
