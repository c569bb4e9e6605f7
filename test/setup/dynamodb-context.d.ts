// What the DynamoDB Local emulator hands to tests through vitest's inject().
declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export {};
