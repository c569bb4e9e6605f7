// One copy of the console's test fixtures: the console moved to @baton/console, and its tests and
// @baton/dev's (the local server, the CLI) build sessions the same way.
export * from '../../../console/src/test-support/session-fixtures.js';
