export { createExampleAgent } from './example-agent.js';
export { offlineDemoModel } from './offline-demo-model.js';
