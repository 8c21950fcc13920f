// The services as the edges (web pages, API, command line) receive them: each bound to the database once, where
// the app is assembled, so that no route or command holds the Drizzle handle. Only what the edges call is here.
import type { Database, Db } from '../db/connection.js';
import * as audit from './audit.js';
import * as qaIndicators from './qa/indicators.js';
import * as qaChecklist from './qa/checklist.js';
import * as qaIndicatorComments from './qa/indicator-comments.js';
import * as siteStaff from './staff/site-staff.js';
import * as supervision from './staff/supervision.js';
import * as authentication from './authentication.js';
import * as calendarFeed from './timetable/calendar-feed.js';
import * as caseload from './caseload.js';
import * as cohortImports from './cohort-imports.js';
import * as catchUps from './timetable/catch-ups.js';
import * as demo from './demo.js';
import * as facilitatorDay from './delivery/facilitator-day.js';
import * as products from './delivery/products.js';
import * as sessionLogs from './delivery/session-logs.js';
import * as eligibility from './eligibility.js';
import * as evaluations from './evaluations.js';
import * as facilitators from './facilitators.js';
import * as groupAllocation from './groups/allocation.js';
import * as groupDetail from './groups/detail.js';
import * as groupListing from './groups/listing.js';
import * as groupMembership from './group-membership.js';
import * as groupPlanning from './groups/planning.js';
import * as harmMonitor from './harm-monitor.js';
import * as people from './people.js';
import * as programmes from './programmes.js';
import * as progress from './progress.js';
import * as psychometrics from './psychometrics.js';
import * as qaActionPlan from './qa/action-plan.js';
import * as qaAudits from './qa/audits.js';
import * as qaOverview from './qa/overview.js';
import * as qaRatings from './qa/ratings.js';
import * as qaRecordingReviews from './qa/recording-reviews.js';
import * as reconvictions from './reconvictions.js';
import * as recordings from './recordings.js';
import * as referrals from './referrals.js';
import * as registers from './registers.js';
import * as replanning from './timetable/replanning.js';
import * as riskScores from './risk-scores.js';
import * as siteSetup from './site-setup.js';
import * as siteReplanning from './timetable/site-replanning.js';
import * as sites from './sites.js';
import * as staffImport from './staff/import.js';
import * as staffPipeline from './staff/pipeline.js';
import * as swaps from './timetable/swaps.js';
import * as treatmentReports from './treatment-reports.js';
import * as users from './users.js';
import * as waitlist from './waitlist.js';
import * as weeks from './timetable/weeks.js';
import { databaseAnswers } from './health.js';

type Bound<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The named functions of a service module, each with the database as its first argument already given. */
function bind<M extends object, K extends keyof M>(db: Db, module: M, names: readonly K[]): { readonly [N in K]: Bound<M[N]> } {
  return Object.fromEntries(
    names.map((name) => {
      const f = module[name] as (db: Db, ...args: unknown[]) => unknown;
      return [name, (...args: unknown[]) => f(db, ...args)];
    }),
  ) as { readonly [N in K]: Bound<M[N]> };
}

export function bindServices(database: Database) {
  const { db } = database;
  return {
    audit: bind(db, audit, ['verifyAuditLog']),
    authentication: bind(db, authentication, [
      'actorFromApiToken',
      'actorFromSession',
      'changePassword',
      'createApiToken',
      'listApiTokens',
      'purgeExpiredSessions',
      'revokeApiToken',
      'signIn',
      'signOut',
      'signOutEverywhere',
    ]),
    caseload: bind(db, caseload, ['listCaseload']),
    cohortImports: {
      ...bind(db, cohortImports, ['getCohortImport', 'getCohortImportProgress', 'listCohortImports', 'queueCohortImport']),
      /** Runs uploads' imports in the background; the caller closes it on shutdown. */
      importRunner: (onError: (error: unknown) => void) => new cohortImports.CohortImportRunner(db, onError),
    },
    delivery: {
      ...bind(db, facilitatorDay, ['facilitatorDay']),
      ...bind(db, products, ['downloadProduct', 'productsOfPerson', 'uploadProduct']),
      ...bind(db, sessionLogs, ['getSessionLog', 'saveSessionLog']),
    },
    demo: bind(db, demo, ['isEmpty', 'seedDemo']),
    eligibility: bind(db, eligibility, ['getEligibility', 'recordEligibilityOverride']),
    evaluations: bind(db, evaluations, ['getEvaluationRun', 'listEvaluationRuns', 'runEvaluation']),
    harmMonitor: {
      ...bind(db, harmMonitor, ['getMonitor', 'monitorAlerts', 'monitorLooksCsv', 'saveMonitorDesign', 'takeDueLook']),
      /** Takes due looks now and then in the server process; returns its stop. */
      scheduler: (options: { pseudonymKey: string; everyMs: number; onError: (programmeId: string, error: unknown) => void }) =>
        harmMonitor.startMonitorScheduler(db, options),
    },
    facilitators: bind(db, facilitators, [
      'addUnavailableDays',
      'calendarSecret',
      'getFacilitatorAvailability',
      'listSiteFacilitators',
      'removeUnavailableDate',
      'setFacilitatorLimits',
    ]),
    groupMembership: bind(db, groupMembership, ['checkReferralGroups']),
    supervision: bind(db, supervision, ['completeSupervisionAction', 'facilitatorSupervision', 'recordSupervision', 'supervisionAlerts', 'supervisionForm']),
    siteStaff: bind(db, siteStaff, ['nameTreatmentManager', 'siteStaff']),
    health: { databaseAnswers: () => databaseAnswers(db), databaseKind: database.kind },
    groups: {
      ...bind(db, groupAllocation, ['allocateToGroup', 'allocationChoice', 'removeFromGroup']),
      ...bind(db, groupPlanning, ['createGroup', 'generateTimetable', 'groupFormOptions']),
      ...bind(db, groupDetail, ['getGroup']),
      ...bind(db, groupListing, ['listGroups']),
    },
    people: bind(db, people, ['addConviction', 'createPerson', 'getPerson', 'removeConviction', 'searchPeople', 'updateConviction', 'updatePerson']),
    programmes: bind(db, programmes, [
      'compareProgrammeVersions',
      'getProgrammeVersion',
      'getProgrammeVersions',
      'listProgrammeVersions',
      'uploadProgrammeVersion',
    ]),
    psychometrics: bind(db, psychometrics, ['changeExportCsv', 'groupChangeSummary', 'personChange', 'programmeChangeSummary', 'recordTest', 'testForm']),
    qa: {
      ...bind(db, qaAudits, ['auditFormOptions', 'drawAuditSample', 'getAudit', 'listAudits', 'openAudit', 'samplePeriod']),
      ...bind(db, qaIndicators, ['operationalIndicators']),
      ...bind(db, qaRecordingReviews, ['recordingReview', 'recordRecordingReview']),
      ...bind(db, qaRatings, ['ratingRules', 'rateAudit']),
      ...bind(db, qaActionPlan, ['respondToAudit', 'closeAudit', 'askForRevisedPlan', 'completeAuditAction', 'siteAuditAlerts']),
      ...bind(db, qaOverview, ['auditOverview']),
      ...bind(db, qaChecklist, ['auditChecklist', 'recordChecklistItem']),
      ...bind(db, qaIndicatorComments, ['indicatorComments', 'indicatorsCsv', 'saveIndicatorComment']),
    },
    reconvictions: bind(db, reconvictions, ['importReconvictions', 'listReconvictionImports']),
    recordings: bind(db, recordings, [
      'checkRecordingUpload',
      'finishRecordingUpload',
      'getRecording',
      'listSessionRecordings',
      'openRecording',
      'purgeExpiredRecordings',
      'seedDemoRecordings',
    ]),
    referrals: bind(db, referrals, ['createReferral', 'getReferral', 'transitionReferral']),
    registers: {
      ...bind(db, registers, ['getRegister', 'listGroupSessions', 'recordRegister', 'registerConflict']),
      ...bind(db, progress, ['getGroupProgress', 'getPersonProgress', 'recordCompletion']),
    },
    riskScores: bind(db, riskScores, ['listScores', 'scorePerson', 'scoringSuggestions']),
    sites: bind(db, sites, ['createSite', 'listSites']),
    staff: {
      ...bind(db, staffPipeline, ['addStaffMember', 'getStaffRecord', 'linkSignIn', 'listSiteStaff', 'makeStageMove', 'openEvidenceFile', 'stageMoveForm']),
      ...bind(db, staffImport, ['importStaff']),
      /** The move that adds someone to the pipeline, from the pipeline file (its form needs no database). */
      startingMove: staffPipeline.startingMoveOf,
      pipelineMove: staffPipeline.pipelineMove,
    },
    siteSetup: bind(db, siteSetup, ['addClosure', 'addRoom', 'addSiteSlot', 'getSiteSetup', 'removeSiteSlot']),
    timetable: {
      ...bind(db, catchUps, ['bookCatchUp', 'catchUpOptions', 'recordCatchUpOutcome']),
      ...bind(db, calendarFeed, ['calendarFeed']),
      ...bind(db, replanning, ['cancelSession', 'replanAffectedSessions']),
      ...bind(db, siteReplanning, ['replanSite', 'siteReplanPlan']),
      ...bind(db, weeks, ['facilitatorWeek', 'siteWeek']),
      ...bind(db, swaps, ['swapFacilitator', 'swapOptions']),
    },
    treatmentReports: bind(db, treatmentReports, ['getTreatmentReport', 'saveTreatmentSummaries']),
    users: bind(db, users, ['createUser', 'findUserId', 'getUser', 'listUsers', 'setUserDisabled']),
    waitlist: bind(db, waitlist, ['listWaitlist']),
  };
}

export type Services = ReturnType<typeof bindServices>;
