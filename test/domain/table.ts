import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../../contract/index.js';
import type { DomainServices } from '../support/domain-services.js';

/** One item of the table as DynamoDB holds it, read by its key (from ITEM_KEYS), as an investigator would. */
export async function storedItem({ db, table }: DomainServices, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const { Item } = await DynamoDBDocumentClient.from(db).send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item;
}

/** An item's time-to-live (epoch seconds), if it has one. */
export const expiryOf = (item: Record<string, unknown> | undefined): number | undefined =>
  item?.[TABLE_SCHEMA.timeToLiveAttribute] as number | undefined;
