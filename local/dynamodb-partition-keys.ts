import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';

/**
 * Each table's partition key attribute, as the DynamoDB behind the access proxy describes it,
 * asked once per table: a table's key schema never changes while it exists. A table that does not
 * exist (yet) is asked about again; one deleted through the proxy is forgotten.
 */
export class PartitionKeys {
  private readonly known = new Map<string, Promise<string | undefined>>();
  private readonly client: DynamoDBClient;

  constructor(upstream: string, region: string) {
    // The local engines check no signature: these credentials name nobody.
    const credentials = { accessKeyId: 'LOCALPROXY0000000000', secretAccessKey: 'local-proxy' };
    this.client = new DynamoDBClient({ endpoint: upstream, region, credentials, maxAttempts: 1 });
  }

  /** The attribute, or undefined for a table that does not exist; rejects when DynamoDB cannot answer. */
  of(table: string): Promise<string | undefined> {
    let found = this.known.get(table);
    if (!found) {
      found = this.describe(table).then(
        (partitionKey) => {
          if (partitionKey === undefined) this.forget(table);
          return partitionKey;
        },
        (error: unknown) => {
          this.forget(table);
          throw error;
        },
      );
      this.known.set(table, found);
    }
    return found;
  }

  forget(table: string): void {
    this.known.delete(table);
  }

  close(): void {
    this.client.destroy();
  }

  private async describe(table: string): Promise<string | undefined> {
    try {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: table }));
      return Table?.KeySchema?.find((element) => element.KeyType === 'HASH')?.AttributeName;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw new Error(`DynamoDB did not describe table ${table}.`, { cause: error });
    }
  }
}
