export {
  type CosmosFaultKind,
  type CosmosFaultOptions,
  faultyCosmosHttpClient,
  type HttpClientLike,
} from './cosmos-faults.js';
export {
  type DynamoFaultKind,
  type DynamoFaultOptions,
  injectDynamoFaults,
  type MiddlewareClient,
} from './dynamodb-faults.js';
export {
  FaultPlan,
  type FaultPlanOptions,
  type FaultTiming,
  type InjectedFault,
  seededRandom,
} from './fault-plan.js';
export { faultyStore, type StoreFaultOptions, type StoreOperation, sqliteBusyError } from './store-faults.js';
