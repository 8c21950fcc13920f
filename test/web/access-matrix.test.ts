// The access matrix, generated from the real route table and the OpenAPI document: every guarded route, sent by a
// user of every role at site A (NGT), naming a record of site A and then one of site B (SMR), is answered as the
// permissions table says. "Denied" is 403, or 404 for a record the caller may not know exists; "granted" is any
// 2xx or 3xx. A grant the table does not give fails the test; a refusal the table would allow is printed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, desc, eq, isNull, lte } from 'drizzle-orm';
import { londonToday } from '../../src/clock.js';
import {
  audits,
  catchUpSessions,
  convictions,
  facilitatorUnavailability,
  groupFacilitators,
  groupMembers,
  groupSessions,
  people,
  programmeGroups,
  sessionFacilitators,
  siteSlots,
  staffMembers,
  users,
} from '../../src/db/schema.js';
import { can, onlyOwn, permission } from '../../src/domain/permissions.js';
import { nationalRoles, roles, type Role } from '../../src/domain/roles.js';
import type { RouteAccess } from '../../src/http/access.js';
import { systemActor } from '../../src/services/access.js';
import { createUser } from '../../src/services/users.js';
import type { RouteRecord } from '../../src/web/app.js';
import { callersFor, demoUserOf, type Caller } from '../support/access.js';
import { siteIdOf } from '../support/actors.js';
import { demoPassword } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/web.js';

type Site = 'own' | 'other';

// Routes that end the caller's session, or disable a user, would stop the walk; they have tests of their own.
const skipped = /^\/(sign-out|sign-in|account\/sign-out-everywhere)$|\/(disable|enable)$/;
/** An id no record has: what a route gets when the site has no record of that kind. */
const noSuchId = '2147483647';

let t: TestApp;
let callers: Map<Role, Caller>;
/** Path parameter values naming records of each site. */
const records: Record<Site, Record<string, string>> = { own: {}, other: {} };

async function first<T>(rows: Promise<T[]>): Promise<T | undefined> {
  return (await rows)[0];
}

async function recordsAt(code: string, facilitatorName: string, managerName: string): Promise<Record<string, string>> {
  const { db } = t.database;
  const siteId = await siteIdOf(db, code);
  const [facilitator] = await db.select({ id: users.id }).from(users).where(eq(users.username, facilitatorName));
  const [manager] = await db.select({ id: users.id }).from(users).where(eq(users.username, managerName));
  // The group the site's facilitator works in, so a facilitator reads a group of his own.
  const group = await first(
    db
      .select({ id: programmeGroups.id })
      .from(programmeGroups)
      .innerJoin(groupFacilitators, eq(groupFacilitators.groupId, programmeGroups.id))
      .where(and(eq(programmeGroups.siteId, siteId), eq(groupFacilitators.userId, facilitator.id)))
      .limit(1),
  );
  assert.ok(group, `demo data at ${code} has a group of its facilitator`);
  // A man of that group with a conviction, and his referral: a facilitator reads the men of his own groups only.
  const conviction = await first(
    db
      .select({ id: convictions.id, personId: convictions.personId, referralId: groupMembers.referralId, memberId: groupMembers.id })
      .from(convictions)
      .innerJoin(groupMembers, eq(groupMembers.personId, convictions.personId))
      .where(and(eq(groupMembers.groupId, group.id), isNull(groupMembers.leftAt)))
      .limit(1),
  );
  assert.ok(conviction, `demo data at ${code} has a man with a conviction in the group`);
  // A session the facilitator facilitates: only a facilitator of the session writes its records.
  const session = await first(
    db
      .select({ id: groupSessions.id })
      .from(groupSessions)
      .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
      // His latest session that has taken place: its register and log are open to him (a log closes after 7 days).
      .where(and(eq(groupSessions.groupId, group.id), eq(sessionFacilitators.userId, facilitator.id), lte(groupSessions.sessionDate, londonToday())))
      .orderBy(desc(groupSessions.sessionDate))
      .limit(1),
  );
  const catchUp = await first(db.select({ id: catchUpSessions.id }).from(catchUpSessions).where(eq(catchUpSessions.groupId, group.id)).limit(1));
  const slot = await first(db.select({ id: siteSlots.id }).from(siteSlots).where(eq(siteSlots.siteId, siteId)).limit(1));
  const away = await first(
    db.select({ id: facilitatorUnavailability.id }).from(facilitatorUnavailability).where(eq(facilitatorUnavailability.userId, facilitator.id)).limit(1),
  );
  // An audit of the site, planned: an auditor may read it and draw its sample.
  const [auditor] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'auditor'));
  const [audit] = await db
    .insert(audits)
    .values({ siteId, programmeId: 'core-sotp', periodFrom: '2026-01-05', periodTo: '2026-03-27', openedBy: auditor.id })
    .returning({ id: audits.id });
  // The site facilitator's own pipeline record: a facilitator reads his own only.
  const staff = await first(db.select({ id: staffMembers.id }).from(staffMembers).where(eq(staffMembers.userId, facilitator.id)));
  assert.ok(staff, `demo data at ${code} has its facilitator in the pipeline`);
  return {
    site: String(siteId),
    staff: String(staff.id),
    person: String(conviction.personId),
    convictionId: String(conviction.id),
    referral: String(conviction.referralId),
    group: String(group.id),
    sessionId: String(session?.id ?? noSuchId),
    referralId: String(conviction.referralId),
    memberId: String(conviction.memberId),
    catchUpId: String(catchUp?.id ?? noSuchId),
    slotId: String(slot?.id ?? noSuchId),
    facilitator: String(facilitator.id),
    entryId: String(away?.id ?? noSuchId),
    user: String(manager.id),
    audit: String(audit.id),
    // An item of the audit's checklist and one of its indicators (names, not records: the same at both sites).
    item: 'session_logs',
    indicatorId: 'logs_on_time',
  };
}

before(async () => {
  t = await startTestApp({ demo: true });
  const ngt = await siteIdOf(t.database.db, 'NGT');
  // The demo assessor works at both sites; the matrix needs one of site A only.
  await createUser(t.database.db, systemActor, {
    username: 'assessor-ngt',
    displayName: 'Ash Assessor',
    role: 'assessor',
    siteIds: [ngt],
    password: demoPassword,
  });
  const usernames: Record<Role, string> = { ...demoUserOf, assessor: 'assessor-ngt' };
  const byName = await callersFor(t, Object.values(usernames));
  callers = new Map(roles.map((role) => [role, byName.get(usernames[role])!]));
  records.own = await recordsAt('NGT', 'facilitator', 'manager');
  records.other = await recordsAt('SMR', 'facilitator2', 'manager2');
});
after(() => t.close());

/**
 * The URL for a route naming records of one site; whether any of them belongs to a site at all; and whether it
 * names a record that does not exist (the demo data has no record of that kind), so a 404 says nothing.
 */
function urlFor(route: RouteRecord, site: Site): { url: string; siteSpecific: boolean; absent: boolean } {
  const r = records[site];
  const path = route.url.replace(/^\/api\/v1/, '');
  const kind = /^\/(people|referrals|groups|sessions|facilitators|staff|sites|admin\/users|users|evaluations|audits)\/:/.exec(path)?.[1];
  let siteSpecific = kind !== undefined && !['admin/users', 'users', 'evaluations'].includes(kind);
  const ids: Record<string, string> = {
    people: r.person,
    referrals: r.referral,
    groups: r.group,
    sessions: r.sessionId,
    facilitators: r.facilitator,
    staff: r.staff,
    sites: r.site,
    'admin/users': r.user,
    users: r.user,
    evaluations: noSuchId,
    audits: r.audit,
  };
  let url = route.url.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === 'id' || name === 'siteId') return ids[kind ?? ''] ?? noSuchId;
    if (name === 'instrument') return 'rm2000s';
    if (name === 'programmeId') return 'core-sotp';
    if (name === 'transition') return 'submit';
    // A move the demo facilitators' records allow (they are accredited).
    if (name === 'move') return 'withdraw';
    return r[name] ?? noSuchId;
  });
  // Lists that take a site choose site A or B by query.
  const siteQuery: Record<string, string> = {
    '/waitlist': `siteId=${r.site}&programmeId=core-sotp`,
    '/api/v1/waitlist': `site=${r.site}&programme=core-sotp`,
    '/caseload': `siteId=${r.site}`,
    '/api/v1/referrals': `siteId=${r.site}`,
    '/facilitators': `site=${r.site}`,
    '/staff': `site=${r.site}`,
    '/groups/new': `site=${r.site}`,
    '/sites/:siteId/replan': 'programme=core-sotp',
    '/sites/:siteId/replanned': 'programme=core-sotp',
  };
  if (route.method === 'GET' && siteQuery[route.url]) {
    url += `?${siteQuery[route.url]}`;
    siteSpecific = true;
  }
  return { url, siteSpecific, absent: url.includes(noSuchId) };
}

/** What the permissions table says: the route's action for the role, at the record's site, on the role's own records. */
function tableAllows(access: RouteAccess, role: Role, site: Site, siteSpecific: boolean): boolean {
  if (access === 'public' || access === 'signed_in') return true;
  if (!can(role, access.action)) return false;
  if (!siteSpecific || site === 'own') return true;
  if (onlyOwn(role, access.action)) return false;
  return !permission(access.action).siteScoped || nationalRoles.has(role);
}

test('every role × every guarded route × own site and another is answered as the permissions table says', async () => {
  const routes = t.routeTable.filter((r) => !['HEAD', 'OPTIONS'].includes(r.method) && r.access !== 'public' && !skipped.test(r.url));
  assert.ok(routes.length > 50, `found ${routes.length} routes`);
  const unexpectedGrants: string[] = [];
  const unexpectedRefusals: string[] = [];
  const problems: string[] = [];
  const absentRecords: string[] = [];
  let inputRefusedFirst = 0;
  let cases = 0;
  let requests = 0;
  for (const route of routes) {
    const access = route.access as RouteAccess;
    for (const role of roles) {
      const { client, token } = callers.get(role)!;
      let sent = false;
      for (const site of ['own', 'other'] as const) {
        cases++;
        const { url, siteSpecific, absent } = urlFor(route, site);
        // A route that names no site's record answers both cases alike: it is sent once.
        if (!siteSpecific && sent) continue;
        const response = url.startsWith('/api/')
          ? await t.app.inject({
              method: route.method as 'GET',
              url,
              headers: { authorization: `Bearer ${token}`, ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
              ...(route.method === 'GET' ? {} : { payload: '{}' }),
            })
          : route.method === 'GET'
            ? await client.get(url)
            : await client.post(url, {});
        requests++;
        sent = true;
        const status = response.statusCode;
        const expected = tableAllows(access, role, site, siteSpecific);
        const granted = status < 400;
        const denied = status === 403 || status === 404;
        const what = `${role} ${route.method} ${url} (${site} site) → ${status}`;
        if (status >= 500 || status === 401 || /form had expired/.test(response.body)) problems.push(what);
        else if (granted && !expected) unexpectedGrants.push(what);
        else if (denied && expected) (absent ? absentRecords : unexpectedRefusals).push(what);
        else if (!granted && !denied && !expected) inputRefusedFirst++;
      }
    }
  }
  console.log(
    `access matrix: ${routes.length} routes × ${roles.length} roles × 2 sites = ${cases} cases (${requests} requests: a route naming no site's record is sent once), ` +
      `${unexpectedGrants.length} unexpected (table allows but the route refuses: ${unexpectedRefusals.length}; ` +
      `refused as bad input before the access check: ${inputRefusedFirst}; allowed but no such record in the demo data: ${absentRecords.length})`,
  );
  if (unexpectedRefusals.length) console.log(`table allows, route refuses:\n  ${unexpectedRefusals.join('\n  ')}`);
  assert.deepEqual(problems, [], 'every request is answered, signed in, with a valid form token');
  assert.deepEqual(unexpectedGrants, [], 'no route grants what the permissions table refuses');
  assert.deepEqual(unexpectedRefusals, [], 'no route refuses what the permissions table allows');
});

test('every API route is in the OpenAPI document and every documented operation is a route', async () => {
  const document = (await t.app.inject({ url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  // HEAD and OPTIONS are compared on neither side: Fastify adds a HEAD to every GET, which the document leaves out,
  // while the tus upload routes document theirs.
  const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => !['head', 'options'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path.startsWith('/api/v1') ? '' : '/api/v1'}${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  const served = t.routeTable
    .filter((r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json' && !['HEAD', 'OPTIONS'].includes(r.method))
    .map((r) => `${r.method} ${r.url}`);
  assert.ok(served.length >= 10, `found ${served.length} API routes`);
  assert.deepEqual([...new Set(documented)].sort(), [...new Set(served)].sort());
});
