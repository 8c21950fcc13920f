// Drizzle's view of the session recordings table (migrations/0013_recordings.sql).
import { bigint, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { groupSessions, users } from './schema.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const recordings = pgTable(
  'recordings',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => groupSessions.id),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => users.id),
    storedName: text('stored_name').notNull().unique(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    durationMs: integer('duration_ms').notNull(),
    format: text('format').notNull(),
    mediaType: text('media_type').notNull(),
    auditSampledAt: tz('audit_sampled_at'),
    purgedAt: tz('purged_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('recordings_session').on(t.sessionId)],
);
