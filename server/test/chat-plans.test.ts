// The chat write path's statements are prepared once per connection and keep their generic plan, made
// perhaps while the tables were nearly empty (a new platform). These tests make that plan on empty tables,
// then fill `messages` and look at the plan again: every table must still be reached through an index.
// (Made that way, the facts read once scanned all of `messages` on every batch, growing with the table.)
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_OF } from '../src/chat/messages.ts';
import { FACTS, STORE } from '../src/chat/writer.ts';
import { openDatabaseForTests } from './helpers.ts';
import type { TestDatabase } from '@kindred/db/testing';

let database: TestDatabase;
beforeAll(async () => {
  database = await openDatabaseForTests();
});
afterAll(async () => {
  await database.close();
});

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] };

/** Tables a plan reads whole: a sequential scan, or an index walked from end to end (no condition). */
function scannedWhole(node: PlanNode): string[] {
  const type = node['Node Type'];
  const whole = type === 'Seq Scan' || (type.startsWith('Index') && !('Index Cond' in node));
  const own = whole && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scannedWhole)];
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** The generic plan of `statement`, made on empty tables and looked at again after 20,000 messages. */
async function planAfterGrowth(name: string, statement: SQL): Promise<{ before: string[]; after: string[] }> {
  const { sql: text, params } = new PgDialect().sqlToQuery(statement);
  const nulls = params.map(() => 'NULL').join(', ');
  let result: { before: string[]; after: string[] } | undefined;
  // Rolled back at the end (statistics included), so every statement is planned on empty tables.
  await database.db
    .transaction(async (tx) => {
      // As on the writer's own connections (DatabaseHandle.writerDb); checked below on PostgreSQL.
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
      await tx.execute(sql.raw('ANALYZE messages, room_events, users, memberships, rooms'));
      await tx.execute(sql.raw(`PREPARE ${name} AS ${text}`));
      const explain = async () => {
        const [row] = rowsOf<{ 'QUERY PLAN': unknown }>(
          await tx.execute(sql.raw(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${nulls})`)),
        );
        const plan = row!['QUERY PLAN'];
        const [root] = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: PlanNode }[];
        return scannedWhole(root!.Plan);
      };
      const before = await explain();
      await tx.execute(sql`
      WITH u AS (
        INSERT INTO users (username, display_name, password_hash) VALUES (${name}, 'Plans', 'x') RETURNING id
      ), r AS (
        INSERT INTO rooms (slug, name, description, audience, rules) VALUES (${name}, 'Plans', 'd', 'everyone', 'r')
        RETURNING id
      ), m AS (
        INSERT INTO messages (room_id, seq, author_id, client_id, body)
        SELECT r.id, g, u.id, 'c' || g, 'words' FROM r, u, generate_series(1, 20000) g
        RETURNING room_id, seq, id
      )
      INSERT INTO room_events (room_id, seq, kind, message_id) SELECT room_id, seq, 'created', id FROM m`);
      const after = await explain();
      await tx.execute(sql.raw(`DEALLOCATE ${name}`));
      result = { before, after };
      tx.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
  return result!;
}

describe('the chat statements’ kept plans', () => {
  it.each([
    ['the facts read', 'kindred_plan_facts', FACTS],
    ['the batch store', 'kindred_plan_store', STORE],
    ['the read of another instance’s batch', 'kindred_plan_events_of', EVENTS_OF],
  ])('%s reaches every table through an index, made empty and used full', async (_, name, statement) => {
    const { before, after } = await planAfterGrowth(name, statement);
    expect(before).toEqual([]);
    expect(after).toEqual([]);
  });

  it.runIf(process.env.KINDRED_TEST_DB === 'postgres')(
    'runs them on connections that never scan a table whole and keep one plan',
    async () => {
      const [settings] = rowsOf<{ seqscan: string; cache: string }>(
        await database.writerDb.execute(
          sql`SELECT current_setting('enable_seqscan') AS seqscan, current_setting('plan_cache_mode') AS cache`,
        ),
      );
      expect(settings).toEqual({ seqscan: 'off', cache: 'force_generic_plan' });
    },
  );
});
