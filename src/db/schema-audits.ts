// Drizzle's view of the audit tables (migrations/0020_audits.sql).
import { bigint, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { recordings } from './schema-recordings.js';
import { sites, users } from './schema.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const audits = pgTable(
  'audits',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    programmeId: text('programme_id').notNull(),
    periodFrom: date('period_from', { mode: 'string' }).notNull(),
    periodTo: date('period_to', { mode: 'string' }).notNull(),
    status: text('status').notNull().default('planned'),
    openedBy: integer('opened_by')
      .notNull()
      .references(() => users.id),
    sampleSeed: bigint('sample_seed', { mode: 'number' }),
    sampleSize: integer('sample_size'),
    /** The frame as the draw saw it: FrameRecording[] (domain/qa/sample.ts), in canonical order. */
    sampleFrame: jsonb('sample_frame'),
    sampleDrawnAt: tz('sample_drawn_at'),
    sampleDrawnBy: integer('sample_drawn_by').references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('audits_site').on(t.siteId, t.periodFrom)],
);

export const auditSampledRecordings = pgTable(
  'audit_sampled_recordings',
  {
    auditId: integer('audit_id')
      .notNull()
      .references(() => audits.id, { onDelete: 'cascade' }),
    recordingId: integer('recording_id')
      .notNull()
      .references(() => recordings.id),
  },
  (t) => [primaryKey({ columns: [t.auditId, t.recordingId] }), index('audit_sampled_recordings_recording').on(t.recordingId)],
);
