// Drizzle's view of the tables created by migrations/ (the SQL files are the source of truth).
import { bigint, boolean, date, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const audited = {
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
};

export const sites = pgTable('sites', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  code: text('code').notNull().unique(),
  name: text('name').notNull().unique(),
  ...audited,
});

export const users = pgTable('users', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role').notNull(),
  passwordHash: text('password_hash').notNull(),
  disabled: boolean('disabled').notNull().default(false),
  ...audited,
});

export const userSites = pgTable(
  'user_sites',
  {
    userId: integer('user_id').notNull(),
    siteId: integer('site_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.siteId] })],
);

export const webSessions = pgTable('web_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  userId: integer('user_id').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
  lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
  expiresAt: tz('expires_at').notNull(),
});

export const apiTokens = pgTable('api_tokens', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  userId: integer('user_id').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
  lastUsedAt: tz('last_used_at'),
  revokedAt: tz('revoked_at'),
});

export const signInFailures = pgTable('sign_in_failures', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  username: text('username').notNull(),
  address: text('address').notNull(),
  failedAt: tz('failed_at').notNull().defaultNow(),
});

export const auditLog = pgTable('audit_log', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  occurredAt: tz('occurred_at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subjectType: text('subject_type').notNull(),
  subjectId: text('subject_id'),
  siteId: integer('site_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

export const programmeVersions = pgTable('programme_versions', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  programmeId: text('programme_id').notNull(),
  version: integer('version').notNull(),
  name: text('name').notNull(),
  definition: jsonb('definition').notNull(),
  sha256: text('sha256').notNull(),
  loadedAt: tz('loaded_at').notNull().defaultNow(),
});

export const people = pgTable('people', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  prisonNumber: text('prison_number').notNull().unique(),
  givenName: text('given_name').notNull(),
  familyName: text('family_name').notNull(),
  dateOfBirth: date('date_of_birth', { mode: 'string' }).notNull(),
  sex: text('sex').notNull(),
  siteId: integer('site_id').notNull(),
  sentenceDate: date('sentence_date', { mode: 'string' }),
  earliestReleaseDate: date('earliest_release_date', { mode: 'string' }),
  neverMarried: boolean('never_married'),
  iqScore: integer('iq_score'),
  iqTest: text('iq_test'),
  iqDate: date('iq_date', { mode: 'string' }),
  sexualMurder: boolean('sexual_murder').notNull().default(false),
  ...audited,
});

export const convictions = pgTable('convictions', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  personId: integer('person_id').notNull(),
  convictionDate: date('conviction_date', { mode: 'string' }).notNull(),
  offence: text('offence').notNull(),
  category: text('category').notNull(),
  attempt: boolean('attempt').notNull().default(false),
  victimMale: boolean('victim_male').notNull().default(false),
  victimStranger: boolean('victim_stranger').notNull().default(false),
  victimChild: boolean('victim_child').notNull().default(false),
  ...audited,
});

export const riskScores = pgTable('risk_scores', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  personId: integer('person_id').notNull(),
  instrument: text('instrument').notNull(),
  instrumentVersion: integer('instrument_version').notNull(),
  inputs: jsonb('inputs').notNull(),
  result: jsonb('result').notNull(),
  category: text('category').notNull(),
  assessedBy: integer('assessed_by').notNull(),
  assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export const eligibilityOverrides = pgTable('eligibility_overrides', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  personId: integer('person_id').notNull(),
  programmeId: text('programme_id').notNull(),
  computedResult: text('computed_result').notNull(),
  result: text('result').notNull(),
  reason: text('reason').notNull(),
  decidedBy: integer('decided_by').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export const referrals = pgTable('referrals', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  personId: integer('person_id').notNull(),
  programmeId: text('programme_id').notNull(),
  siteId: integer('site_id').notNull(),
  status: text('status').notNull(),
  statusChangedAt: tz('status_changed_at').notNull().defaultNow(),
  waitlistedAt: tz('waitlisted_at'),
  createdBy: integer('created_by'),
  ...audited,
});

export const referralHistory = pgTable('referral_history', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  referralId: integer('referral_id').notNull(),
  transition: text('transition'),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  reason: text('reason'),
  actorId: integer('actor_id'),
  actor: text('actor').notNull(),
  occurredAt: tz('occurred_at').notNull().defaultNow(),
});
