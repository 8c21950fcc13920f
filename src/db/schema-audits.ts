// Drizzle's view of the audit tables (migrations/0020_audits.sql, 0022_audit_review.sql, 0023_audit_response_returned.sql).
import { bigint, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
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
    siteResponse: text('site_response'),
    respondedBy: integer('responded_by').references(() => users.id),
    respondedAt: tz('responded_at'),
    /** Why the auditor asked the site to revise its plan; cleared when the site responds again. */
    revisionAsked: text('revision_asked'),
    closedBy: integer('closed_by').references(() => users.id),
    closedAt: tz('closed_at'),
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

const edited = {
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
};

export const auditRecordingReviews = pgTable(
  'audit_recording_reviews',
  {
    auditId: integer('audit_id').notNull(),
    recordingId: integer('recording_id').notNull(),
    notes: text('notes').notNull(),
    reviewedBy: integer('reviewed_by')
      .notNull()
      .references(() => users.id),
    ...edited,
  },
  (t) => [
    primaryKey({ columns: [t.auditId, t.recordingId] }),
    foreignKey({ columns: [t.auditId, t.recordingId], foreignColumns: [auditSampledRecordings.auditId, auditSampledRecordings.recordingId] }).onDelete(
      'cascade',
    ),
  ],
);

export const auditChecklistItems = pgTable(
  'audit_checklist_items',
  {
    auditId: integer('audit_id')
      .notNull()
      .references(() => audits.id, { onDelete: 'cascade' }),
    item: text('item').notNull(),
    notes: text('notes').notNull(),
    examinedBy: integer('examined_by')
      .notNull()
      .references(() => users.id),
    ...edited,
  },
  (t) => [primaryKey({ columns: [t.auditId, t.item] })],
);

export const auditIndicatorComments = pgTable(
  'audit_indicator_comments',
  {
    auditId: integer('audit_id')
      .notNull()
      .references(() => audits.id, { onDelete: 'cascade' }),
    indicatorId: text('indicator_id').notNull(),
    comment: text('comment').notNull(),
    writtenBy: integer('written_by')
      .notNull()
      .references(() => users.id),
    ...edited,
  },
  (t) => [primaryKey({ columns: [t.auditId, t.indicatorId] })],
);

export const auditRatings = pgTable(
  'audit_ratings',
  {
    auditId: integer('audit_id')
      .notNull()
      .references(() => audits.id, { onDelete: 'cascade' }),
    criterion: text('criterion').notNull(),
    level: text('level').notNull(),
    levelLabel: text('level_label').notNull(),
    levelRank: integer('level_rank').notNull(),
    evidence: text('evidence').notNull(),
    /** { recordings: number[]; checklist: string[] }: what the evidence cites. */
    cites: jsonb('cites').notNull(),
    ratedBy: integer('rated_by')
      .notNull()
      .references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.auditId, t.criterion] })],
);

export const auditActions = pgTable(
  'audit_actions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    auditId: integer('audit_id')
      .notNull()
      .references(() => audits.id, { onDelete: 'cascade' }),
    description: text('description').notNull(),
    owner: text('owner').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    completedOn: date('completed_on', { mode: 'string' }),
    completedBy: integer('completed_by').references(() => users.id),
    ...edited,
  },
  (t) => [index('audit_actions_audit').on(t.auditId)],
);
