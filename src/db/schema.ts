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
  /** The administrator who uploaded it; null when it was read from the programmes/ folder. */
  uploadedBy: integer('uploaded_by'),
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
  /** Set when a conviction the score was computed from is removed: the score is kept but needs redoing. */
  outOfDateSince: tz('out_of_date_since'),
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

// Groups and timetables (migration 0003).

export const rooms = pgTable('rooms', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  siteId: integer('site_id').notNull(),
  name: text('name').notNull(),
  ...audited,
});

export const siteClosures = pgTable('site_closures', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  siteId: integer('site_id').notNull(),
  closureDate: date('closure_date', { mode: 'string' }).notNull(),
  reason: text('reason').notNull(),
  ...audited,
});

/** The weekly session slots a site offers; a group's slots are chosen from these. */
export const siteSlots = pgTable('site_slots', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  siteId: integer('site_id').notNull(),
  weekday: text('weekday').notNull(),
  startTime: text('start_time').notNull(),
  ...audited,
});

export const facilitatorProfiles = pgTable('facilitator_profiles', {
  userId: integer('user_id').primaryKey(),
  maxSessionsPerDay: integer('max_sessions_per_day').notNull().default(1),
  maxSessionsPerWeek: integer('max_sessions_per_week').notNull().default(5),
  icalSecret: text('ical_secret'),
  ...audited,
});

export const facilitatorAccreditations = pgTable('facilitator_accreditations', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  userId: integer('user_id').notNull(),
  programmeId: text('programme_id').notNull(),
  accreditedOn: date('accredited_on', { mode: 'string' }).notNull(),
  supervisionCurrentUntil: date('supervision_current_until', { mode: 'string' }).notNull(),
  ...audited,
});

export const facilitatorUnavailability = pgTable('facilitator_unavailability', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  userId: integer('user_id').notNull(),
  unavailableOn: date('unavailable_on', { mode: 'string' }).notNull(),
  reason: text('reason').notNull().default(''),
  ...audited,
});

export const programmeGroups = pgTable('programme_groups', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull(),
  programmeVersionId: integer('programme_version_id').notNull(),
  siteId: integer('site_id').notNull(),
  roomId: integer('room_id').notNull(),
  capacity: integer('capacity').notNull(),
  earliestStart: date('earliest_start', { mode: 'string' }).notNull(),
  treatmentManagerId: integer('treatment_manager_id').notNull(),
  status: text('status').notNull().default('unscheduled'),
  scheduleProblem: text('schedule_problem'),
  /** The solver's obstacles on the days lost before the first session (LostDays[]); null when it started on time. */
  startDelay: jsonb('start_delay'),
  ...audited,
});

export const groupSlots = pgTable(
  'group_slots',
  {
    groupId: integer('group_id').notNull(),
    weekday: text('weekday').notNull(),
    startTime: text('start_time').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.weekday, t.startTime] })],
);

export const groupFacilitators = pgTable(
  'group_facilitators',
  {
    groupId: integer('group_id').notNull(),
    userId: integer('user_id').notNull(),
    teamRole: text('team_role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] })],
);

export const groupMembers = pgTable('group_members', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  groupId: integer('group_id').notNull(),
  referralId: integer('referral_id').notNull(),
  personId: integer('person_id').notNull(),
  /** Null while he is a current member; set (with the reason) when he leaves the group. */
  leftAt: tz('left_at'),
  leftReason: text('left_reason'),
  ...audited,
});

export const groupSessions = pgTable('group_sessions', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  groupId: integer('group_id').notNull(),
  number: integer('number').notNull(),
  block: integer('block').notNull(),
  sessionDate: date('session_date', { mode: 'string' }).notNull(),
  startTime: text('start_time').notNull(),
  endTime: text('end_time').notNull(),
  roomId: integer('room_id').notNull(),
  status: text('status').notNull().default('scheduled'),
  cancelReason: text('cancel_reason'),
  ...audited,
});

export const sessionFacilitators = pgTable(
  'session_facilitators',
  {
    sessionId: integer('session_id').notNull(),
    userId: integer('user_id').notNull(),
    /** The named facilitator this cover facilitator replaces, and the solver's Obstacle that kept them out. */
    standsInFor: integer('stands_in_for'),
    standInReason: jsonb('stand_in_reason'),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

export const catchUpSessions = pgTable('catch_up_sessions', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  groupId: integer('group_id').notNull(),
  memberId: integer('member_id').notNull(),
  missedSessionId: integer('missed_session_id').notNull(),
  sessionNumber: integer('session_number').notNull(),
  sessionDate: date('session_date', { mode: 'string' }).notNull(),
  startTime: text('start_time').notNull(),
  endTime: text('end_time').notNull(),
  facilitatorId: integer('facilitator_id').notNull(),
  roomId: integer('room_id').notNull(),
  status: text('status').notNull().default('booked'),
  deliveredOn: date('delivered_on', { mode: 'string' }),
  ...audited,
});
export * from './schema-evaluations.js';
