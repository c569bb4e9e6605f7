// What the Cosmos DB API server (test/setup/cosmos-server.ts) hands to tests through vitest's inject().
declare module 'vitest' {
  export interface ProvidedContext {
    cosmosEndpoint: string;
    cosmosKey: string;
  }
}

export {};
