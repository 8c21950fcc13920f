// Whether the database answers: for /health.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/connection.js';

export async function databaseAnswers(database: Database): Promise<boolean> {
  try {
    await database.db.execute(sql`SELECT 1`);
    return true;
  } catch {
    return false;
  }
}
