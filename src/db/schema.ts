// Drizzle's view of the tables created by migrations/ (the SQL files are the source of truth): columns, keys,
// foreign keys and indexes, checked against the migrated database by test/integration/schema-drift.test.ts.
// CHECK constraints and triggers live in the migrations only.
import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';

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
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.siteId] }), index('user_sites_site').on(t.siteId)],
);

export const webSessions = pgTable(
  'web_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: tz('created_at').notNull().defaultNow(),
    lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [index('web_sessions_user').on(t.userId)],
);

export const apiTokens = pgTable('api_tokens', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
  lastUsedAt: tz('last_used_at'),
  revokedAt: tz('revoked_at'),
});

export const signInFailures = pgTable(
  'sign_in_failures',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    username: text('username').notNull(),
    address: text('address').notNull(),
    failedAt: tz('failed_at').notNull().defaultNow(),
  },
  (t) => [index('sign_in_failures_username').on(t.username, t.failedAt), index('sign_in_failures_address').on(t.address, t.failedAt)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    occurredAt: tz('occurred_at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    siteId: integer('site_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull().unique(),
  },
  (t) => [index('audit_log_subject').on(t.subjectType, t.subjectId)],
);

export const programmeVersions = pgTable(
  'programme_versions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    programmeId: text('programme_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    definition: jsonb('definition').notNull(),
    sha256: text('sha256').notNull(),
    loadedAt: tz('loaded_at').notNull().defaultNow(),
    /** The administrator who uploaded it; null when it was read from the programmes/ folder. */
    uploadedBy: integer('uploaded_by').references(() => users.id),
  },
  (t) => [unique().on(t.programmeId, t.version)],
);

export const people = pgTable(
  'people',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    prisonNumber: text('prison_number').notNull().unique(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    dateOfBirth: date('date_of_birth', { mode: 'string' }).notNull(),
    sex: text('sex').notNull(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    sentenceDate: date('sentence_date', { mode: 'string' }),
    earliestReleaseDate: date('earliest_release_date', { mode: 'string' }),
    neverMarried: boolean('never_married'),
    iqScore: integer('iq_score'),
    iqTest: text('iq_test'),
    iqDate: date('iq_date', { mode: 'string' }),
    sexualMurder: boolean('sexual_murder').notNull().default(false),
    ...audited,
  },
  (t) => [index('people_site').on(t.siteId), index('people_family_name').on(sql`lower(${t.familyName})`)],
);

export const convictions = pgTable(
  'convictions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    convictionDate: date('conviction_date', { mode: 'string' }).notNull(),
    offence: text('offence').notNull(),
    category: text('category').notNull(),
    attempt: boolean('attempt').notNull().default(false),
    victimMale: boolean('victim_male').notNull().default(false),
    victimStranger: boolean('victim_stranger').notNull().default(false),
    victimChild: boolean('victim_child').notNull().default(false),
    ...audited,
  },
  (t) => [index('convictions_person').on(t.personId)],
);

export const riskScores = pgTable(
  'risk_scores',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    instrument: text('instrument').notNull(),
    instrumentVersion: integer('instrument_version').notNull(),
    inputs: jsonb('inputs').notNull(),
    result: jsonb('result').notNull(),
    category: text('category').notNull(),
    assessedBy: integer('assessed_by')
      .notNull()
      .references(() => users.id),
    assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    /** Set when a conviction the score was computed from is removed: the score is kept but needs redoing. */
    outOfDateSince: tz('out_of_date_since'),
  },
  (t) => [index('risk_scores_person').on(t.personId, t.instrument, t.createdAt.desc())],
);

export const eligibilityOverrides = pgTable(
  'eligibility_overrides',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    programmeId: text('programme_id').notNull(),
    computedResult: text('computed_result').notNull(),
    result: text('result').notNull(),
    reason: text('reason').notNull(),
    decidedBy: integer('decided_by')
      .notNull()
      .references(() => users.id),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [index('eligibility_overrides_person').on(t.personId, t.programmeId, t.createdAt.desc())],
);

export const referrals = pgTable(
  'referrals',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    programmeId: text('programme_id').notNull(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    status: text('status').notNull(),
    statusChangedAt: tz('status_changed_at').notNull().defaultNow(),
    waitlistedAt: tz('waitlisted_at'),
    createdBy: integer('created_by').references(() => users.id),
    ...audited,
  },
  (t) => [
    index('referrals_site_status').on(t.siteId, t.status),
    index('referrals_person').on(t.personId),
    uniqueIndex('referrals_one_open_per_programme')
      .on(t.personId, t.programmeId)
      .where(sql`status NOT IN ('not_eligible', 'not_suitable', 'programme_complete', 'deselected', 'withdrawn')`),
    index('referrals_site_status_changed').on(t.siteId, t.statusChangedAt.desc(), t.id.desc()),
    index('referrals_status_changed').on(t.statusChangedAt.desc(), t.id.desc()),
  ],
);

export const referralHistory = pgTable(
  'referral_history',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    referralId: integer('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    transition: text('transition'),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    actorId: integer('actor_id').references(() => users.id),
    actor: text('actor').notNull(),
    occurredAt: tz('occurred_at').notNull().defaultNow(),
  },
  (t) => [index('referral_history_referral').on(t.referralId, t.occurredAt)],
);

// Groups and timetables (migration 0003).

export const rooms = pgTable(
  'rooms',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    name: text('name').notNull(),
    ...audited,
  },
  (t) => [unique().on(t.siteId, t.name)],
);

export const siteClosures = pgTable(
  'site_closures',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    closureDate: date('closure_date', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    ...audited,
  },
  (t) => [unique().on(t.siteId, t.closureDate)],
);

/** The weekly session slots a site offers; a group's slots are chosen from these. */
export const siteSlots = pgTable(
  'site_slots',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    weekday: text('weekday').notNull(),
    startTime: text('start_time').notNull(),
    ...audited,
  },
  (t) => [unique().on(t.siteId, t.weekday, t.startTime)],
);

export const facilitatorProfiles = pgTable('facilitator_profiles', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  maxSessionsPerDay: integer('max_sessions_per_day').notNull().default(1),
  maxSessionsPerWeek: integer('max_sessions_per_week').notNull().default(5),
  icalSecret: text('ical_secret').unique(),
  ...audited,
});

export const facilitatorAccreditations = pgTable(
  'facilitator_accreditations',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    programmeId: text('programme_id').notNull(),
    accreditedOn: date('accredited_on', { mode: 'string' }).notNull(),
    suspendedFrom: date('suspended_from', { mode: 'string' }),
    suspensionReason: text('suspension_reason'),
    withdrawnFrom: date('withdrawn_from', { mode: 'string' }),
    ...audited,
  },
  (t) => [unique().on(t.userId, t.programmeId)],
);

export const facilitatorUnavailability = pgTable(
  'facilitator_unavailability',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    unavailableOn: date('unavailable_on', { mode: 'string' }).notNull(),
    reason: text('reason').notNull().default(''),
    ...audited,
  },
  (t) => [unique().on(t.userId, t.unavailableOn)],
);

export const programmeGroups = pgTable(
  'programme_groups',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    programmeVersionId: integer('programme_version_id')
      .notNull()
      .references(() => programmeVersions.id),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id),
    roomId: integer('room_id')
      .notNull()
      .references(() => rooms.id),
    capacity: integer('capacity').notNull(),
    earliestStart: date('earliest_start', { mode: 'string' }).notNull(),
    treatmentManagerId: integer('treatment_manager_id')
      .notNull()
      .references(() => users.id),
    status: text('status').notNull().default('unscheduled'),
    scheduleProblem: text('schedule_problem'),
    /** The solver's obstacles on the days lost before the first session (LostDays[]); null when it started on time. */
    startDelay: jsonb('start_delay'),
    /** The solver's gap when the timetable was generated: bound, finish, ratio and the obstacles of the meeting days lost. */
    planGap: jsonb('plan_gap'),
    ...audited,
  },
  (t) => [unique().on(t.siteId, t.name), index('programme_groups_site').on(t.siteId)],
);

export const groupSlots = pgTable(
  'group_slots',
  {
    groupId: integer('group_id')
      .notNull()
      .references(() => programmeGroups.id, { onDelete: 'cascade' }),
    weekday: text('weekday').notNull(),
    startTime: text('start_time').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.weekday, t.startTime] })],
);

export const groupFacilitators = pgTable(
  'group_facilitators',
  {
    groupId: integer('group_id')
      .notNull()
      .references(() => programmeGroups.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    teamRole: text('team_role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] })],
);

export const groupMembers = pgTable(
  'group_members',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    groupId: integer('group_id')
      .notNull()
      .references(() => programmeGroups.id, { onDelete: 'cascade' }),
    referralId: integer('referral_id')
      .notNull()
      .references(() => referrals.id),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    /** Null while he is a current member; set (with the reason) when he leaves the group. */
    leftAt: tz('left_at'),
    leftReason: text('left_reason'),
    ...audited,
  },
  (t) => [
    index('group_members_group').on(t.groupId),
    uniqueIndex('group_members_one_current_per_referral')
      .on(t.referralId)
      .where(sql`left_at IS NULL`),
    index('group_members_referral').on(t.referralId),
  ],
);

export const groupSessions = pgTable(
  'group_sessions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    groupId: integer('group_id')
      .notNull()
      .references(() => programmeGroups.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    block: integer('block').notNull(),
    sessionDate: date('session_date', { mode: 'string' }).notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    roomId: integer('room_id')
      .notNull()
      .references(() => rooms.id),
    status: text('status').notNull().default('scheduled'),
    cancelReason: text('cancel_reason'),
    cancelCause: text('cancel_cause'),
    ...audited,
  },
  (t) => [
    uniqueIndex('group_sessions_one_live_per_number')
      .on(t.groupId, t.number)
      .where(sql`status <> 'cancelled'`),
    index('group_sessions_date').on(t.sessionDate),
  ],
);

export const sessionFacilitators = pgTable(
  'session_facilitators',
  {
    sessionId: integer('session_id')
      .notNull()
      .references(() => groupSessions.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** The named facilitator this cover facilitator replaces, and the solver's Obstacle that kept them out. */
    standsInFor: integer('stands_in_for').references(() => users.id),
    standInReason: jsonb('stand_in_reason'),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] }), index('session_facilitators_user').on(t.userId)],
);

export const catchUpSessions = pgTable(
  'catch_up_sessions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    groupId: integer('group_id')
      .notNull()
      .references(() => programmeGroups.id, { onDelete: 'cascade' }),
    memberId: integer('member_id')
      .notNull()
      .references(() => groupMembers.id, { onDelete: 'cascade' }),
    missedSessionId: integer('missed_session_id')
      .notNull()
      .references(() => groupSessions.id),
    sessionNumber: integer('session_number').notNull(),
    sessionDate: date('session_date', { mode: 'string' }).notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    facilitatorId: integer('facilitator_id')
      .notNull()
      .references(() => users.id),
    roomId: integer('room_id')
      .notNull()
      .references(() => rooms.id),
    status: text('status').notNull().default('booked'),
    deliveredOn: date('delivered_on', { mode: 'string' }),
    ...audited,
  },
  (t) => [
    index('catch_up_sessions_group').on(t.groupId),
    index('catch_up_sessions_facilitator').on(t.facilitatorId, t.sessionDate),
    index('catch_up_sessions_room').on(t.roomId, t.sessionDate),
  ],
);

export const sessionLogs = pgTable('session_logs', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  sessionId: integer('session_id')
    .notNull()
    .unique()
    .references(() => groupSessions.id, { onDelete: 'cascade' }),
  blocksCovered: integer('blocks_covered').array().notNull(),
  targetsCovered: text('targets_covered').notNull(),
  deviations: text('deviations').notNull().default(''),
  incidents: text('incidents').notNull().default(''),
  writtenBy: integer('written_by')
    .notNull()
    .references(() => users.id),
  ...audited,
});

export const sessionLogNotes = pgTable(
  'session_log_notes',
  {
    sessionLogId: integer('session_log_id')
      .notNull()
      .references(() => sessionLogs.id, { onDelete: 'cascade' }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    note: text('note').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionLogId, t.personId] }), index('session_log_notes_person').on(t.personId)],
);

export const products = pgTable(
  'products',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => groupSessions.id),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull().unique(),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => users.id),
    ...audited,
  },
  (t) => [index('products_session').on(t.sessionId), index('products_person').on(t.personId)],
);
export * from './schema-evaluations.js';

// Registers and required catch-ups (migration 0011).

export const sessionRegisters = pgTable('session_registers', {
  sessionId: integer('session_id')
    .primaryKey()
    .references(() => groupSessions.id, { onDelete: 'cascade' }),
  recordedBy: integer('recorded_by')
    .notNull()
    .references(() => users.id),
  ...audited,
});

export const registerEntries = pgTable(
  'register_entries',
  {
    sessionId: integer('session_id')
      .notNull()
      .references(() => sessionRegisters.sessionId, { onDelete: 'cascade' }),
    memberId: integer('member_id')
      .notNull()
      .references(() => groupMembers.id, { onDelete: 'cascade' }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    status: text('status').notNull(),
    minutes: integer('minutes'),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.memberId] }), index('register_entries_member').on(t.memberId)],
);

export const registerVersions = pgTable(
  'register_versions',
  {
    sessionId: integer('session_id')
      .notNull()
      .references(() => sessionRegisters.sessionId, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    entries: jsonb('entries').notNull(),
    recordedBy: integer('recorded_by')
      .notNull()
      .references(() => users.id),
    recordedAt: tz('recorded_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.version] })],
);

export const requiredCatchUps = pgTable(
  'required_catch_ups',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => groupSessions.id, { onDelete: 'cascade' }),
    memberId: integer('member_id')
      .notNull()
      .references(() => groupMembers.id, { onDelete: 'cascade' }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    status: text('status').notNull().default('outstanding'),
    catchUpId: integer('catch_up_id').references(() => catchUpSessions.id),
    ...audited,
  },
  (t) => [
    uniqueIndex('required_catch_ups_one_live')
      .on(t.sessionId, t.memberId)
      .where(sql`status <> 'withdrawn'`),
    index('required_catch_ups_member').on(t.memberId),
  ],
);

/** The facilitators' end-of-treatment summary of a man in a group: text per risk domain id. */
export const treatmentReports = pgTable('treatment_reports', {
  memberId: integer('member_id')
    .primaryKey()
    .references(() => groupMembers.id, { onDelete: 'cascade' }),
  summaries: jsonb('summaries').$type<Record<string, string>>().notNull(),
  writtenBy: integer('written_by')
    .notNull()
    .references(() => users.id),
  ...audited,
});
export * from './schema-psychometrics.js';
export * from './schema-audits.js';
export * from './schema-recordings.js';
export * from './schema-staff.js';
export * from './schema-pipeline.js';
