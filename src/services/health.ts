// Whether the database answers: for /health.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';

export async function databaseAnswers(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`SELECT 1`);
    return true;
  } catch {
    return false;
  }
}
