// The services as the edges (web pages, API, command line) receive them: each bound to the database once, where
// the app is assembled, so that no route or command holds the Drizzle handle. Only what the edges call is here.
import type { Database, Db } from '../db/connection.js';
import { verifyAuditLog } from './audit.js';
import {
  actorFromApiToken,
  actorFromSession,
  changePassword,
  createApiToken,
  listApiTokens,
  purgeExpiredSessions,
  revokeApiToken,
  signIn,
  signOut,
  signOutEverywhere,
} from './authentication.js';
import { listCaseload } from './caseload.js';
import { CohortImportRunner, getCohortImport, getCohortImportProgress, listCohortImports, queueCohortImport } from './cohort-imports.js';
import { isEmpty, seedDemo } from './demo.js';
import { getEligibility, recordEligibilityOverride } from './eligibility.js';
import { getEvaluationRun, listEvaluationRuns, runEvaluation } from './evaluations.js';
import {
  addUnavailableDays,
  calendarSecret,
  getFacilitatorAvailability,
  listSiteFacilitators,
  removeUnavailableDate,
  setAccreditation,
  setFacilitatorLimits,
  supervisionAlerts,
} from './facilitators.js';
import { checkReferralGroups } from './group-membership.js';
import { databaseAnswers } from './health.js';
import { allocateToGroup, allocationChoice, removeFromGroup } from './groups/allocation.js';
import { getGroup } from './groups/detail.js';
import { listGroups } from './groups/listing.js';
import { createGroup, generateTimetable, groupFormOptions } from './groups/planning.js';
import { addConviction, createPerson, getPerson, removeConviction, searchPeople, updateConviction, updatePerson } from './people.js';
import { compareProgrammeVersions, getProgrammeVersion, getProgrammeVersions, listProgrammeVersions, uploadProgrammeVersion } from './programmes.js';
import { importReconvictions, listReconvictionImports } from './reconvictions.js';
import { createReferral, getReferral, transitionReferral } from './referrals.js';
import { listScores, scorePerson, scoringSuggestions } from './risk-scores.js';
import { addClosure, addRoom, addSiteSlot, getSiteSetup, removeSiteSlot } from './site-setup.js';
import { createSite, listSites } from './sites.js';
import { calendarFeed } from './timetable/calendar-feed.js';
import { bookCatchUp, catchUpOptions, recordCatchUpOutcome } from './timetable/catch-ups.js';
import { cancelSession, replanAffectedSessions } from './timetable/replanning.js';
import { swapFacilitator, swapOptions } from './timetable/swaps.js';
import { facilitatorWeek, siteWeek } from './timetable/weeks.js';
import { createUser, findUserId, getUser, listUsers, setUserDisabled } from './users.js';
import { listWaitlist } from './waitlist.js';

type Bound<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;
type BoundAll<T> = { readonly [K in keyof T]: Bound<T[K]> };

function bindAll<T extends Record<string, (db: Db, ...args: never[]) => unknown>>(db: Db, functions: T): BoundAll<T> {
  return Object.fromEntries(Object.entries(functions).map(([name, f]) => [name, (...args: never[]) => f(db, ...args)])) as BoundAll<T>;
}

export function bindServices(database: Database) {
  const { db } = database;
  return {
    audit: bindAll(db, { verifyAuditLog }),
    authentication: bindAll(db, {
      actorFromApiToken,
      actorFromSession,
      changePassword,
      createApiToken,
      listApiTokens,
      purgeExpiredSessions,
      revokeApiToken,
      signIn,
      signOut,
      signOutEverywhere,
    }),
    caseload: bindAll(db, { listCaseload }),
    cohortImports: {
      ...bindAll(db, { getCohortImport, getCohortImportProgress, listCohortImports, queueCohortImport }),
      /** Runs uploads' imports in the background; the caller closes it on shutdown. */
      importRunner: (onError: (error: unknown) => void) => new CohortImportRunner(db, onError),
    },
    demo: bindAll(db, { isEmpty, seedDemo }),
    eligibility: bindAll(db, { getEligibility, recordEligibilityOverride }),
    evaluations: bindAll(db, { getEvaluationRun, listEvaluationRuns, runEvaluation }),
    facilitators: bindAll(db, {
      addUnavailableDays,
      calendarSecret,
      getFacilitatorAvailability,
      listSiteFacilitators,
      removeUnavailableDate,
      setAccreditation,
      setFacilitatorLimits,
      supervisionAlerts,
    }),
    groupMembership: bindAll(db, { checkReferralGroups }),
    health: { databaseAnswers: () => databaseAnswers(db), databaseKind: database.kind },
    groups: bindAll(db, { allocateToGroup, allocationChoice, createGroup, generateTimetable, getGroup, groupFormOptions, listGroups, removeFromGroup }),
    people: bindAll(db, { addConviction, createPerson, getPerson, removeConviction, searchPeople, updateConviction, updatePerson }),
    programmes: bindAll(db, { compareProgrammeVersions, getProgrammeVersion, getProgrammeVersions, listProgrammeVersions, uploadProgrammeVersion }),
    reconvictions: bindAll(db, { importReconvictions, listReconvictionImports }),
    referrals: bindAll(db, { createReferral, getReferral, transitionReferral }),
    riskScores: bindAll(db, { listScores, scorePerson, scoringSuggestions }),
    sites: bindAll(db, { createSite, listSites }),
    siteSetup: bindAll(db, { addClosure, addRoom, addSiteSlot, getSiteSetup, removeSiteSlot }),
    timetable: bindAll(db, {
      bookCatchUp,
      calendarFeed,
      cancelSession,
      catchUpOptions,
      facilitatorWeek,
      recordCatchUpOutcome,
      replanAffectedSessions,
      siteWeek,
      swapFacilitator,
      swapOptions,
    }),
    users: bindAll(db, { createUser, findUserId, getUser, listUsers, setUserDisabled }),
    waitlist: bindAll(db, { listWaitlist }),
  };
}

export type Services = ReturnType<typeof bindServices>;
