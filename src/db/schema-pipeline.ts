// Drizzle's view of the facilitator pipeline's tables (migrations/0019_staff_pipeline.sql).
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { sites, users } from './schema.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const audited = {
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
};

export const staffMembers = pgTable(
  'staff_members',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    displayName: text('display_name').notNull(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    userId: integer('user_id')
      .unique()
      .references(() => users.id),
    stage: text('stage').notNull(),
    ...audited,
  },
  (t) => [index('staff_members_site').on(t.siteId)],
);

export const staffProgrammeStages = pgTable(
  'staff_programme_stages',
  {
    staffMemberId: integer('staff_member_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    programmeId: text('programme_id').notNull(),
    stage: text('stage').notNull(),
    ...audited,
  },
  (t) => [primaryKey({ columns: [t.staffMemberId, t.programmeId] })],
);

export const staffStageMoves = pgTable(
  'staff_stage_moves',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    staffMemberId: integer('staff_member_id')
      .notNull()
      .references(() => staffMembers.id, { onDelete: 'cascade' }),
    pipelineVersion: integer('pipeline_version').notNull(),
    moveId: text('move_id').notNull(),
    programmeId: text('programme_id'),
    fromStage: text('from_stage').notNull(),
    toStage: text('to_stage').notNull(),
    reason: text('reason').notNull().default(''),
    evidence: jsonb('evidence').$type<Record<string, string>>().notNull().default({}),
    movedBy: integer('moved_by').references(() => users.id),
    movedByName: text('moved_by_name').notNull(),
    movedAt: tz('moved_at').notNull().defaultNow(),
  },
  (t) => [index('staff_stage_moves_member').on(t.staffMemberId, t.id)],
);

export const staffEvidenceFiles = pgTable(
  'staff_evidence_files',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    moveId: integer('move_id')
      .notNull()
      .references(() => staffStageMoves.id, { onDelete: 'cascade' }),
    field: text('field').notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull().unique(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [index('staff_evidence_files_move').on(t.moveId)],
);
