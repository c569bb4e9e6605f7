// The offline demo model is core's: it works with any agent's tools.
export { offlineModel as offlineDemoModel } from '@baton/core';
export { createExampleAgent } from './example-agent.js';
