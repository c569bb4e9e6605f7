// What the Azurite queue emulator (test/setup/azurite.ts) hands to tests through vitest's inject().
declare module 'vitest' {
  export interface ProvidedContext {
    azuriteQueueConnection: string;
  }
}

export {};
