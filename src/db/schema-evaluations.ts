// Drizzle's view of the outcome-evaluation tables (migrations 0005, 0009 and 0015).
import { boolean, date, index, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
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
    importedBy: integer('imported_by')
      .notNull()
      .references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [unique().on(t.kind, t.sha256)],
);

export const cohortImportProgress = pgTable('cohort_import_progress', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  kind: text('kind').notNull(),
  fileName: text('file_name').notNull(),
  status: text('status').notNull().default('queued'),
  rowsRead: integer('rows_read').notNull().default(0),
  problems: jsonb('problems').notNull().default([]),
  cohortImportId: integer('cohort_import_id').references(() => cohortImports.id),
  alreadyImported: boolean('already_imported').notNull().default(false),
  requestedBy: integer('requested_by')
    .notNull()
    .references(() => users.id),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});

export const cohortImportChunks = pgTable(
  'cohort_import_chunks',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    uploadId: integer('upload_id').references(() => cohortImportProgress.id),
    cohortImportId: integer('cohort_import_id').references(() => cohortImports.id),
    seq: integer('seq').notNull(),
    content: text('content').notNull(),
  },
  (t) => [unique().on(t.uploadId, t.seq), unique().on(t.cohortImportId, t.seq)],
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

export const harmMonitorDesigns = pgTable('harm_monitor_designs', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  programmeId: text('programme_id').notNull().unique(),
  cohortImportId: integer('cohort_import_id')
    .notNull()
    .references(() => cohortImports.id),
  covariates: text('covariates').array().notNull(),
  outcome: text('outcome').notNull(),
  design: jsonb('design').notNull(),
  createdBy: integer('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});

export const harmMonitorLooks = pgTable(
  'harm_monitor_looks',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    designId: integer('design_id')
      .notNull()
      .references(() => harmMonitorDesigns.id),
    lookDate: date('look_date', { mode: 'string' }).notNull(),
    result: jsonb('result').notNull(),
    takenBy: integer('taken_by').references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [unique().on(t.designId, t.lookDate)],
);
