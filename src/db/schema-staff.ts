// Drizzle's view of the supervision tables and the sites' named treatment managers (migrations/0018_supervision.sql).
import { date, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { recordings } from './schema-recordings.js';
import { sites, users } from './schema.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const audited = {
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
};

export const supervisions = pgTable(
  'supervisions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    facilitatorId: integer('facilitator_id')
      .notNull()
      .references(() => users.id),
    supervisorId: integer('supervisor_id')
      .notNull()
      .references(() => users.id),
    supervisedOn: date('supervised_on', { mode: 'string' }).notNull(),
    notes: text('notes').notNull().default(''),
    recordedBy: integer('recorded_by')
      .notNull()
      .references(() => users.id),
    ...audited,
  },
  (t) => [index('supervisions_facilitator').on(t.facilitatorId, t.supervisedOn), index('supervisions_site').on(t.siteId, t.supervisedOn)],
);

export const supervisionObservations = pgTable(
  'supervision_observations',
  {
    supervisionId: integer('supervision_id')
      .notNull()
      .references(() => supervisions.id, { onDelete: 'cascade' }),
    recordingId: integer('recording_id')
      .notNull()
      .references(() => recordings.id),
    minutesWatched: integer('minutes_watched').notNull(),
  },
  (t) => [primaryKey({ columns: [t.supervisionId, t.recordingId] })],
);

export const supervisionActions = pgTable(
  'supervision_actions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    supervisionId: integer('supervision_id')
      .notNull()
      .references(() => supervisions.id, { onDelete: 'cascade' }),
    description: text('description').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    completedOn: date('completed_on', { mode: 'string' }),
    completedBy: integer('completed_by').references(() => users.id),
    ...audited,
  },
  (t) => [index('supervision_actions_supervision').on(t.supervisionId)],
);

export const siteTreatmentManagers = pgTable(
  'site_treatment_managers',
  {
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    programmeId: text('programme_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    ...audited,
  },
  (t) => [primaryKey({ columns: [t.siteId, t.programmeId] })],
);
