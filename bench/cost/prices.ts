/**
 * The list prices `npm run bench` turns request units into dollars with, in one place. On-demand,
 * no free tier, no discounts. Checked on 2026-12-06 with the `search` tool (docs and pages corpora);
 * where no first-party page in the corpus showed the number, the comment says so: check those
 * before quoting the estimate.
 *
 * @example
 * const dollars = (writeUnits * BENCH_PRICES.dynamodb.writeUnitPerMillion) / 1e6;
 */
export interface Prices {
  dynamodb: {
    /** USD per million write request units (on-demand, us-east-1). */
    writeUnitPerMillion: number;
    /** USD per million read request units (on-demand, us-east-1). */
    readUnitPerMillion: number;
  };
  sqs: {
    /** USD per million requests (standard queue); each 64 KB chunk of a payload is one request. */
    requestPerMillion: number;
  };
  lambda: {
    /** USD per GB-second of duration, for the architecture infra/aws.ts deploys (arm64). */
    gbSecond: number;
    /** USD per million requests. */
    requestPerMillion: number;
    /** Memory of each function in GB: infra/aws.ts's default, 1024 MB. */
    memoryGb: number;
  };
  cosmos: {
    /** USD per million request units (serverless account). */
    ruPerMillion: number;
  };
  storageQueue: {
    /** USD per 10,000 operations (Put Message, Delete Message: class 1; Get Messages: class 2). */
    class1Per10k: number;
    class2Per10k: number;
  };
  functions: {
    /** USD per GB-second of on-demand execution time (Flex Consumption). */
    gbSecond: number;
    /** USD per million executions (Flex Consumption, on demand). */
    executionPerMillion: number;
    /** Instance memory in GB: infra/azure.ts's default instanceMemoryMB, 2048. */
    memoryGb: number;
  };
}

export const BENCH_PRICES: Prices = {
  dynamodb: {
    // https://aws.amazon.com/dynamodb/pricing/on-demand/ (units: a standard write of up to 1 KB is
    // one write request unit, transactional writes take two; a strongly consistent read of up to
    // 4 KB is one read request unit). The figures, $0.625 and $0.125 per million in us-east-1, were
    // seen in the corpus only on a third-party page quoting that page
    // (airbyte.com/data-engineering-resources/dynamodb-pricing), 2026-12-06.
    writeUnitPerMillion: 0.625,
    readUnitPerMillion: 0.125,
  },
  sqs: {
    // $0.40 per million standard requests, each 64 KB chunk billed as one request: seen in the corpus
    // only on third-party pages (a cost sheet gist, an exam-notes repository), 2026-12-06; the
    // first-party https://aws.amazon.com/sqs/pricing/ was not in the corpus.
    requestPerMillion: 0.4,
  },
  lambda: {
    // https://aws.amazon.com/lambda/pricing/: $0.20 per million requests (quoted from that page in
    // the api-evangelist aws-lambda pricing file, read 2026-09-20); per GB-second us-east-1 x86_64
    // $0.0000166667, arm64 $0.0000133334 (artillery's lib/platform/aws-lambda/prices.js, which cites
    // that page), 2026-12-06. infra/aws.ts deploys arm64.
    gbSecond: 0.0000133334,
    requestPerMillion: 0.2,
    memoryGb: 1,
  },
  cosmos: {
    // Serverless bills consumed RUs (https://learn.microsoft.com/azure/cosmos-db/serverless). The
    // rate, $0.25 per million RUs, was NOT found in the corpus on 2026-12-06: it is the figure of
    // https://azure.microsoft.com/pricing/details/cosmos-db/serverless/ as the brief gave it.
    ruPerMillion: 0.25,
  },
  storageQueue: {
    // ~$0.004 per 10,000 operations (GPv2, LRS): NOT found in the corpus on 2026-12-06 (a 2018 post
    // quotes EUR 0.0068 per 10,000 for RA-GRS); from https://azure.microsoft.com/pricing/details/storage/queues/
    // as the brief gave it. Class 2 taken at the class 1 rate (an upper bound).
    class1Per10k: 0.004,
    class2Per10k: 0.004,
  },
  functions: {
    // Flex Consumption on demand: $0.000026 per GB-s and $0.40 per million executions, East US
    // (modal.com/blog/azure-function-pricing-guide, 2025-05-22, citing
    // https://azure.microsoft.com/pricing/details/functions/), seen 2026-12-06.
    gbSecond: 0.000026,
    executionPerMillion: 0.4,
    memoryGb: 2,
  },
};
