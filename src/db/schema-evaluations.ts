// Drizzle's view of the outcome-evaluation tables (migration 0005).
import { date, index, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { users } from './schema.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const cohortImports = pgTable(
  'cohort_imports',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').notNull(),
    fileName: text('file_name').notNull(),
    sha256: text('sha256').notNull(),
    rows: integer('rows').notNull(),
    columns: text('columns').array().notNull(),
    content: text('content').notNull(),
    importedBy: integer('imported_by')
      .notNull()
      .references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [unique().on(t.kind, t.sha256)],
);

export const reconvictionImports = pgTable('reconviction_imports', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  fileName: text('file_name').notNull(),
  sha256: text('sha256').notNull().unique(),
  rows: integer('rows').notNull(),
  newRows: integer('new_rows').notNull(),
  dataAsOf: date('data_as_of', { mode: 'string' }).notNull(),
  importedBy: integer('imported_by')
    .notNull()
    .references(() => users.id),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export const reconvictions = pgTable(
  'reconvictions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    importId: integer('import_id')
      .notNull()
      .references(() => reconvictionImports.id),
    personRef: text('person_ref').notNull(),
    outcome: text('outcome').notNull(),
    offenceDate: date('offence_date', { mode: 'string' }).notNull(),
  },
  (t) => [unique().on(t.personRef, t.outcome, t.offenceDate), index('reconvictions_person').on(t.personRef)],
);

export const evaluationRuns = pgTable('evaluation_runs', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  programmeId: text('programme_id').notNull(),
  source: text('source').notNull(),
  cohortImportId: integer('cohort_import_id')
    .notNull()
    .references(() => cohortImports.id),
  settings: jsonb('settings').notNull(),
  inputs: jsonb('inputs').notNull(),
  result: jsonb('result').notNull(),
  createdBy: integer('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tz('created_at').notNull().defaultNow(),
});
