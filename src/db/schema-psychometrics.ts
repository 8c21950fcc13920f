// Drizzle's view of the psychometric tests table (migration 0014).
import { date, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { people, users } from './schema.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const psychometricTests = pgTable(
  'psychometric_tests',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    instrument: text('instrument').notNull(),
    instrumentVersion: integer('instrument_version').notNull(),
    occasion: text('occasion').notNull(),
    administeredOn: date('administered_on', { mode: 'string' }).notNull(),
    /** Item id → answer, null when not answered. */
    responses: jsonb('responses').notNull(),
    /** The scale scores as recorded (ScaleScore[]). */
    scores: jsonb('scores').notNull(),
    recordedBy: integer('recorded_by')
      .notNull()
      .references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [unique('psychometric_tests_one_per_occasion').on(t.personId, t.instrument, t.occasion)],
);
