// Group pages: list, create, the timetable by week, re-planning a site's groups not yet started, cancelling a
// session (showing what moved), swapping a facilitator, catch-up sessions, allocation from the waitlist, a site's week and its set-up (rooms, session slots, closures).
import { cancellationCauses } from '../../../domain/schedule/cancellation.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { can } from '../../../domain/permissions.js';
import { permits } from '../../../http/access.js';
import { errorView } from '../../forms.js';
import { DateInputs } from '../../dates.js';
import type { Actor } from '../../../services/access.js';
import { ValidationFailed } from '../../../services/errors.js';
import { teamRoleLabels } from '../../../services/groups/access.js';
import { londonToday } from '../../../services/scheduling.js';
import type { SiteGroup } from '../../../services/timetable/site-replanning.js';
import { weekdayNames } from '../../../domain/schedule/calendar.js';
import { slotKey, slotTitle } from '../../../domain/schedule/slots.js';
import { idParam } from '../../params.js';
import { progressTags } from '../../records.js';
import { byWeek, dayCount, longDay, presentAffected, shortDay, slotTimesByDay, statusTags, weekdayLabels, weekPicker } from '../../timetable-display.js';

const readers = permits('group.read');
const managers = permits('group.manage');
const siteSetupChangers = permits('site.setup.change');

type Body = Record<string, unknown>;

const groupDates = { earliestStart: 'Earliest start date' };
const catchUpDates = { date: 'Date of the catch-up' };
const closureDates = { date: 'Date the site is closed' };

/** Carried from cancelling a session to the page that shows it: each moved session as [number, was on, was at]. */
interface CancellationOutcome {
  sessionId: number;
  moved: Array<[number, string, string]>;
  lastBefore: string;
  lastAfter: string;
}

/** Lost days with when they fell, in words. */
function lostDaysWhen<T extends { days: number; first: string; last: string }>(d: T) {
  return { ...d, when: d.days === 1 ? longDay(d.first) : `${dayCount(d.days)} from ${longDay(d.first)} to ${longDay(d.last)}` };
}

export async function groupRoutes(app: FastifyInstance, { services }: RouteContext): Promise<void> {
  app.get('/groups', { config: readers }, async (request, reply) => {
    const actor = request.actor!;
    const groups = await services.groups.listGroups(actor);
    const sites = await services.sites.listSites(actor);
    const manages = can(actor.role, 'group.manage');
    return reply.render('groups/list.njk', {
      pageTitle: 'Groups',
      groups: groups.map((g) => ({
        ...g,
        tag: statusTags[g.status],
        firstDay: g.firstDate ? longDay(g.firstDate) : 'Not scheduled',
        lastDay: g.lastDate ? longDay(g.lastDate) : 'Not scheduled',
      })),
      sites: can(actor.role, 'site.week.read') ? sites : [],
      manages,
    });
  });

  // ------------------------------------------------------------------ create
  const renderNewForm = async (reply: FastifyReply, siteId: number, values: Body, dates: DateInputs, extra: Body = {}) => {
    const options = await services.groups.groupFormOptions(reply.request.actor!, siteId);
    const chosenSlots = new Set([values.slots ?? []].flat().map(String));
    const sites = await services.sites.listSites(reply.request.actor!);
    const person = (list: Array<{ id: number; displayName: string }>, chosen: unknown, blank: string) => [
      { value: '', text: blank },
      ...list.map((p) => ({ value: String(p.id), text: p.displayName, selected: String(chosen ?? '') === String(p.id) })),
    ];
    return reply.render('groups/new.njk', {
      pageTitle: 'Create a group',
      siteId,
      siteName: sites.find((s) => s.id === siteId)?.name ?? '',
      values,
      noRooms: options.rooms.length === 0,
      dateItems: dates.items('earliestStart'),
      programmeItems: options.programmes.map((p) => ({
        value: p.id,
        text: `${p.name} (up to ${p.capacity} men)`,
        checked: (values.programmeId ?? options.programmes[0]?.id) === p.id,
      })),
      roomItems: [
        { value: '', text: 'Choose a room' },
        ...options.rooms.map((r) => ({ value: String(r.id), text: r.name, selected: String(values.roomId ?? '') === String(r.id) })),
      ],
      managerItems: person(options.managers, values.treatmentManagerId ?? reply.request.actor!.userId, 'Choose a treatment manager'),
      leadItems: person(options.facilitators, values.leadId, 'Choose a lead facilitator'),
      coItems: person(options.facilitators, values.coId, 'Choose a co-facilitator'),
      coverItems: person(options.facilitators, values.coverId, 'No cover facilitator'),
      noSlots: options.slots.length === 0,
      slotItems: options.slots.map((slot) => ({ value: slotKey(slot), text: slotTitle(slot), checked: chosenSlots.has(slotKey(slot)) })),
      ...extra,
    });
  };

  app.get('/groups/new', { config: managers }, async (request, reply) => {
    const actor = request.actor!;
    const query = request.query as Record<string, string | undefined>;
    const siteId = query.site ? Number(query.site) : actor.siteIds[0];
    if (!Number.isInteger(siteId)) throw ValidationFailed.one('site', 'Choose a site');
    return renderNewForm(reply, siteId, { capacity: '9' }, DateInputs.fromRecord({}, groupDates));
  });

  app.post('/groups', { config: managers }, async (request, reply) => {
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, groupDates);
    const body = dates.input;
    const siteId = Number(body.siteId);
    if (!Number.isInteger(siteId) || siteId <= 0) throw ValidationFailed.one('siteId', 'Choose a site');
    try {
      const created = await services.groups.createGroup(request.actor!, siteId, body);
      return reply.redirect(`/groups/${created.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderNewForm(reply.status(400), siteId, body, dates, dates.view(error));
    }
  });

  // ------------------------------------------------------------------ group page
  app.get('/groups/:id', { config: readers }, async (request, reply) => {
    const today = londonToday();
    const group = await services.groups.getGroup(request.actor!, idParam(request.params, 'id', 'Group'), today);
    const progress = await services.registers.getGroupProgress(request.actor!, group.id);
    const live = group.sessions.filter((s) => s.status !== 'cancelled');
    const query = request.query as Record<string, unknown>;
    return reply.render('groups/show.njk', {
      pageTitle: group.name,
      group,
      tag: statusTags[group.status],
      slots: group.slots.map((s) => `${weekdayLabels[s.weekday]} ${s.start}`).join(', '),
      team: group.team.map((t) => ({ ...t, roleLabel: teamRoleLabels[t.teamRole] })),
      weeks: byWeek(group.sessions, today, group.problems),
      problemCount: Object.keys(group.problems).length,
      startDelay: group.startDelay.map(lostDaysWhen),
      planGap: group.planGap && { ...group.planGap, ratio: group.planGap.ratio.toFixed(3), reasons: group.planGap.reasons.map(lostDaysWhen) },
      firstDay: live.length ? longDay(live[0].date) : null,
      lastDay: live.length ? longDay(live[live.length - 1].date) : null,
      catchUps: group.catchUps.map((c) => ({ ...c, day: shortDay(c.date), tag: statusTags[c.status] })),
      outstanding: group.catchUps.filter((c) => c.status === 'booked').length,
      placesLeft: group.capacity - group.members.length,
      canReadReports: can(request.actor!.role, 'treatment_report.read'),
      today,
      progress: progress.men.map((m) => ({ ...m, tag: progressTags[m.state] })),
      recordsCompletion: group.canManage && can(request.actor!.role, 'completion.record'),
      swapped: /^\d+$/.test(String(query.swapped ?? '')) ? Number(query.swapped) : null,
      replanned: /^\d+$/.test(String(query.replanned ?? '')) ? { from: Number(query.replanned), moved: Number(query.moved ?? 0) } : null,
      showRecordings: can(request.actor!.role, 'recording.view'),
    });
  });

  app.post('/groups/:id/timetable', { config: managers }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Group');
    await services.groups.generateTimetable(request.actor!, id, request.body ?? {});
    return reply.redirect(`/groups/${id}`, 303);
  });

  app.post('/groups/:id/replan', { config: managers }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Group');
    const result = await services.timetable.replanAffectedSessions(request.actor!, id, request.body ?? {});
    return reply.redirect(`/groups/${id}?replanned=${result.fromNumber}&moved=${result.moved.length}#timetable`, 303);
  });

  // ------------------------------------------------------------------ re-planning a site (one programme's groups not yet started)
  const lostDaysOf = (g: SiteGroup) => (g.gap ? { ...g, gap: { ...g.gap, ratio: g.gap.ratio.toFixed(3), reasons: g.gap.reasons.map(lostDaysWhen) } } : g);
  const plannedNow = (g: { firstDate: string | null; lastDate: string | null }) =>
    g.firstDate && g.lastDate ? `${longDay(g.firstDate)} to ${longDay(g.lastDate)}` : 'Not scheduled';

  const renderSiteReplan = async (reply: FastifyReply, siteId: number, programmeId: string, extra: Body = {}) => {
    const plan = await services.timetable.siteReplanPlan(reply.request.actor!, siteId, programmeId);
    return reply.render('groups/site-replan.njk', {
      pageTitle: `Re-plan ${plan.programmeName} at ${plan.siteName}`,
      plan,
      toReplan: plan.toReplan.map((g) => ({ ...g, planned: plannedNow(g), tag: statusTags[g.status] ?? { text: g.status, classes: '' } })),
      held: plan.held.map((g) => ({
        ...g,
        planned: plannedNow(g),
        why: g.happened ? `Started: ${g.happened} ${g.happened === 1 ? 'session has' : 'sessions have'} happened` : 'Closed',
      })),
      errors: {},
      ...extra,
    });
  };
  const programmeOf = (values: unknown) => String((values as Body | undefined)?.programme ?? '');

  app.get('/sites/:siteId/replan', { config: managers }, async (request, reply) =>
    renderSiteReplan(reply, idParam(request.params, 'siteId', 'Site'), programmeOf(request.query)),
  );

  app.post('/sites/:siteId/replan', { config: managers }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    const body = (request.body ?? {}) as Body;
    const programmeId = programmeOf(body);
    try {
      const result = await services.timetable.replanSite(request.actor!, siteId, programmeId, body);
      return reply.redirectWithOutcome(
        `/sites/${siteId}/replanned?programme=${encodeURIComponent(programmeId)}`,
        result.replanned.map((g) => g.groupId),
      );
    } catch (error) {
      if (!(error instanceof ValidationFailed) || error.errors.some((e) => e.field === 'programme')) throw error;
      return renderSiteReplan(reply.status(400), siteId, programmeId, errorView(error));
    }
  });

  // Which groups were re-planned is known only at the moment of re-planning: it comes with the redirect, once.
  // Their finishes, bounds and gaps are read as stored.
  app.get('/sites/:siteId/replanned', { config: managers }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    const programmeId = programmeOf(request.query);
    const plan = await services.timetable.siteReplanPlan(request.actor!, siteId, programmeId);
    const replanned = new Set(reply.takeOutcome<number[]>() ?? []);
    if (replanned.size === 0) return reply.redirect(`/sites/${siteId}/replan?programme=${encodeURIComponent(programmeId)}`, 303);
    return reply.render('groups/site-replanned.njk', {
      pageTitle: `${plan.programmeName} at ${plan.siteName} re-planned`,
      plan,
      groups: [...plan.toReplan, ...plan.held].filter((g) => replanned.has(g.id)).map(lostDaysOf),
    });
  });

  // ------------------------------------------------------------------ cancel
  const sessionOf = async (actor: Actor, groupId: number, sessionId: number) => {
    const group = await services.groups.getGroup(actor, groupId);
    const session = group.sessions.find((s) => s.id === sessionId);
    if (!session) throw ValidationFailed.one('session', 'That session is not in this group');
    return { group, session: { ...session, day: longDay(session.date) } };
  };

  app.get('/groups/:id/sessions/:sessionId/cancel', { config: managers }, async (request, reply) => {
    const { group, session } = await sessionOf(request.actor!, idParam(request.params, 'id', 'Group'), idParam(request.params, 'sessionId', 'Session'));
    return reply.render('groups/cancel.njk', { pageTitle: `Cancel session ${session.number}`, group, session, causes: cancellationCauses, values: {} });
  });

  app.post('/groups/:id/sessions/:sessionId/cancel', { config: managers }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const sessionId = idParam(request.params, 'sessionId', 'Session');
    const body = (request.body ?? {}) as Body;
    try {
      const result = await services.timetable.cancelSession(request.actor!, sessionId, body);
      if (result.groupId !== groupId) throw ValidationFailed.one('session', 'That session is not in this group');
      const outcome: CancellationOutcome = {
        sessionId,
        moved: result.moved.map((m) => [m.number, m.fromDate, m.fromStart]),
        lastBefore: result.lastDateBefore,
        lastAfter: result.lastDateAfter,
      };
      return reply.redirectWithOutcome(`/groups/${groupId}/sessions/${sessionId}/cancelled`, outcome);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const { group, session } = await sessionOf(request.actor!, groupId, sessionId);
      return reply.status(400).render('groups/cancel.njk', {
        pageTitle: `Cancel session ${session.number}`,
        group,
        session,
        causes: cancellationCauses,
        values: body,
        ...errorView(error),
      });
    }
  });

  // What moved is known only at the moment of cancelling: it comes with the redirect, once. The sessions'
  // dates now are read from the timetable, so the outcome stays small enough for a cookie.
  app.get('/groups/:id/sessions/:sessionId/cancelled', { config: managers }, async (request, reply) => {
    const { group, session } = await sessionOf(request.actor!, idParam(request.params, 'id', 'Group'), idParam(request.params, 'sessionId', 'Session'));
    if (session.status !== 'cancelled') return reply.redirect(`/groups/${group.id}#session-${session.id}`, 303);
    const outcome = reply.takeOutcome<CancellationOutcome>();
    const now = new Map(group.sessions.filter((s) => s.status !== 'cancelled').map((s) => [s.number, s]));
    const moved =
      outcome?.sessionId === session.id
        ? outcome.moved.map(([number, fromDate, fromStart]) => ({
            number,
            block: now.get(number)?.block,
            fromDay: shortDay(fromDate),
            fromStart,
            toDay: now.has(number) ? shortDay(now.get(number)!.date) : 'Not scheduled',
            toStart: now.get(number)?.start ?? '',
          }))
        : undefined;
    return reply.render('groups/cancelled.njk', {
      pageTitle: `Session ${session.number} cancelled`,
      group,
      session,
      moved,
      lastBefore: outcome ? longDay(outcome.lastBefore) : undefined,
      lastAfter: outcome ? longDay(outcome.lastAfter) : undefined,
    });
  });

  // ------------------------------------------------------------------ swap
  const renderSwap = async (reply: FastifyReply, groupId: number, sessionId: number, values: Body, extra: Body = {}) => {
    const actor = reply.request.actor!;
    const { group, session } = await sessionOf(actor, groupId, sessionId);
    const replacedId = Number(values.replacedId ?? session.facilitators[0]?.id);
    const options = await services.timetable.swapOptions(
      actor,
      sessionId,
      session.facilitators.some((f) => f.id === replacedId) ? replacedId : session.facilitators[0].id,
    );
    return reply.render('groups/swap.njk', {
      pageTitle: `Swap a facilitator in session ${session.number}`,
      group,
      session,
      options,
      replacedItems: session.facilitators.map((f) => ({ value: String(f.id), text: f.displayName, checked: f.id === replacedId })),
      candidateItems: options.candidates.map((c) => ({
        value: String(c.id),
        text: c.displayName,
        checked: String(values.replacementId ?? '') === String(c.id),
      })),
      ...extra,
    });
  };

  app.get('/groups/:id/sessions/:sessionId/swap', { config: managers }, async (request, reply) =>
    renderSwap(reply, idParam(request.params, 'id', 'Group'), idParam(request.params, 'sessionId', 'Session'), {}),
  );

  app.post('/groups/:id/sessions/:sessionId/swap', { config: managers }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const sessionId = idParam(request.params, 'sessionId', 'Session');
    const body = (request.body ?? {}) as Body;
    try {
      const result = await services.timetable.swapFacilitator(request.actor!, sessionId, body);
      return reply.redirect(`/groups/${result.groupId}?swapped=${result.number}#session-${sessionId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSwap(reply.status(400), groupId, sessionId, body, errorView(error));
    }
  });

  // ------------------------------------------------------------------ catch-ups
  const renderCatchUp = async (reply: FastifyReply, groupId: number, values: Body, dates: DateInputs, extra: Body = {}) => {
    const group = await services.groups.getGroup(reply.request.actor!, groupId);
    const options = await services.timetable.catchUpOptions(reply.request.actor!, groupId);
    const today = londonToday();
    const startTimes = [...new Set(options.slots.map((s) => s.start))].sort();
    const chosenRoom = String(values.roomId ?? options.groupRoomId);
    return reply.render('groups/catch-up.njk', {
      pageTitle: 'Book a catch-up session',
      group,
      values,
      dateItems: dates.items('date'),
      noSlots: options.slots.length === 0,
      slotHint: slotTimesByDay(options.slots),
      startItems: [{ value: '', text: 'Choose a start time' }, ...startTimes.map((t) => ({ value: t, text: t, selected: String(values.start ?? '') === t }))],
      roomItems: [
        { value: '', text: 'Choose a room' },
        ...options.rooms.map((r) => ({ value: String(r.id), text: r.name, selected: chosenRoom === String(r.id) })),
      ],
      memberItems: [
        { value: '', text: 'Choose a man' },
        ...group.members.map((m) => ({ value: String(m.id), text: `${m.name} (${m.prisonNumber})`, selected: String(values.memberId ?? '') === String(m.id) })),
      ],
      sessionItems: [
        { value: '', text: 'Choose the session he missed' },
        ...group.sessions
          .filter((s) => s.status !== 'cancelled' && s.date <= (typeof values.date === 'string' && values.date > today ? values.date : '9999-12-31'))
          .map((s) => ({
            value: String(s.id),
            text: `Session ${s.number} (block ${s.block}), ${shortDay(s.date)}`,
            selected: String(values.sessionId ?? '') === String(s.id),
          })),
      ],
      facilitatorItems: [
        { value: '', text: 'Choose a facilitator' },
        ...group.team.map((t) => ({ value: String(t.userId), text: t.displayName, selected: String(values.facilitatorId ?? '') === String(t.userId) })),
      ],
      ...extra,
    });
  };

  app.get('/groups/:id/catch-ups/new', { config: managers }, async (request, reply) =>
    renderCatchUp(reply, idParam(request.params, 'id', 'Group'), {}, DateInputs.fromRecord({}, catchUpDates)),
  );

  app.post('/groups/:id/catch-ups', { config: managers }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, catchUpDates);
    const body = dates.input;
    try {
      await services.timetable.bookCatchUp(request.actor!, groupId, body);
      return reply.redirect(`/groups/${groupId}#catch-ups`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderCatchUp(reply.status(400), groupId, body, dates, dates.view(error));
    }
  });

  app.post('/groups/:id/catch-ups/:catchUpId/outcome', { config: permits('catch_up.record_outcome') }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    await services.timetable.recordCatchUpOutcome(request.actor!, idParam(request.params, 'catchUpId', 'Catch-up'), request.body ?? {});
    return reply.redirect(`/groups/${groupId}#catch-ups`, 303);
  });

  // ------------------------------------------------------------------ allocation
  const renderAllocate = async (reply: FastifyReply, groupId: number, values: Body, extra: Body = {}) => {
    const choice = await services.groups.allocationChoice(reply.request.actor!, groupId);
    const chosen = new Set([values.referrals ?? []].flat().map(String));
    return reply.render('groups/allocate.njk', {
      pageTitle: `Allocate men to ${choice.group.name}`,
      choice,
      free: choice.group.capacity - choice.group.members,
      items: choice.waitlist.entries.map((e) => ({
        value: `${e.referralId}:${e.referralVersion}`,
        text: `${e.position}. ${e.givenName} ${e.familyName} (${e.prisonNumber})`,
        hint: { text: `Waiting ${e.daysWaiting} days${e.releaseBeforeGroupEnds ? ' – may be released before the group ends' : ''}` },
        checked: chosen.has(`${e.referralId}:${e.referralVersion}`),
      })),
      ...extra,
    });
  };

  app.get('/groups/:id/allocate', { config: managers }, async (request, reply) => renderAllocate(reply, idParam(request.params, 'id', 'Group'), {}));

  app.post('/groups/:id/allocate', { config: managers }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const body = (request.body ?? {}) as Body;
    try {
      await services.groups.allocateToGroup(request.actor!, groupId, body);
      return reply.redirect(`/groups/${groupId}#members`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderAllocate(reply.status(400), groupId, body, errorView(error));
    }
  });

  // ------------------------------------------------------------------ removal from the group
  const renderRemove = async (reply: FastifyReply, groupId: number, referralId: number, values: Body, extra: Body = {}) => {
    const group = await services.groups.getGroup(reply.request.actor!, groupId);
    const member = group.members.find((m) => m.referralId === referralId);
    if (!member) throw ValidationFailed.one('referralId', 'He is not a current member of this group');
    return reply.render('groups/remove-member.njk', { pageTitle: `Remove ${member.name} from ${group.name}`, group, member, values, errors: {}, ...extra });
  };

  app.get('/groups/:id/members/:referralId/remove', { config: managers }, async (request, reply) =>
    renderRemove(reply, idParam(request.params, 'id', 'Group'), idParam(request.params, 'referralId', 'Referral'), {}),
  );

  app.post('/groups/:id/members/:referralId/remove', { config: managers }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const referralId = idParam(request.params, 'referralId', 'Referral');
    const body = (request.body ?? {}) as Body;
    try {
      await services.groups.removeFromGroup(request.actor!, groupId, { ...body, referralId });
      return reply.redirect(`/groups/${groupId}#members`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderRemove(reply.status(400), groupId, referralId, body, errorView(error));
    }
  });

  // ------------------------------------------------------------------ a site's week and set-up: rooms, session slots, closures
  app.get('/sites/:siteId/week', { config: permits('site.week.read') }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    const picker = weekPicker(request.query as Body);
    const week = await services.timetable.siteWeek(request.actor!, siteId, picker.date);
    return reply.status(picker.status).render('groups/site-week.njk', {
      pageTitle: `${week.siteName}: week beginning ${longDay(week.monday)}`,
      week,
      siteId,
      baseUrl: `/sites/${siteId}/week`,
      ...picker.view(week.monday),
      days: week.days.map((d) => ({ ...d, label: longDay(d.date), entries: d.entries.map((e) => ({ ...e, tag: statusTags[e.status] })) })),
    });
  });

  const weekdayItems = (chosen: unknown) => [
    { value: '', text: 'Choose a day' },
    ...weekdayNames.map((day) => ({ value: day, text: weekdayLabels[day], selected: chosen === day })),
  ];

  const renderSetup = async (reply: FastifyReply, siteId: number, extra: Body = {}, closureForm?: DateInputs) => {
    const setup = await services.siteSetup.getSiteSetup(reply.request.actor!, siteId);
    return reply.render('groups/site-setup.njk', {
      pageTitle: `${setup.site.name}: rooms, session slots and closures`,
      setup,
      closures: setup.closures.map((c) => ({ ...c, day: longDay(c.date) })),
      slots: setup.slots.map((s) => ({ ...s, title: slotTitle(s) })),
      affected: presentAffected(setup.affected),
      canReplan: can(reply.request.actor!.role, 'group.manage'),
      canEdit: can(reply.request.actor!.role, 'site.setup.change'),
      roomValues: {},
      slotValues: {},
      weekdayItems: weekdayItems((extra.slotValues as Body | undefined)?.weekday),
      closureValues: {},
      closureDateItems: (closureForm ?? DateInputs.fromRecord({}, closureDates)).items('date'),
      ...extra,
    });
  };

  app.get('/sites/:siteId/setup', { config: permits('site.setup.read') }, async (request, reply) =>
    renderSetup(reply, idParam(request.params, 'siteId', 'Site'), { closureAdded: (request.query as Record<string, unknown>).added === 'closure' }),
  );

  app.post('/sites/:siteId/rooms', { config: siteSetupChangers }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    const body = (request.body ?? {}) as Body;
    try {
      await services.siteSetup.addRoom(request.actor!, siteId, body);
      return reply.redirect(`/sites/${siteId}/setup`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSetup(reply.status(400), siteId, { roomValues: body, ...errorView(error, { prefix: 'room-' }) });
    }
  });

  app.post('/sites/:siteId/slots', { config: siteSetupChangers }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    const body = (request.body ?? {}) as Body;
    try {
      await services.siteSetup.addSiteSlot(request.actor!, siteId, body);
      return reply.redirect(`/sites/${siteId}/setup#slots`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSetup(reply.status(400), siteId, { slotValues: body, ...errorView(error, { prefix: 'slot-' }) });
    }
  });

  app.post('/sites/:siteId/slots/:slotId/remove', { config: siteSetupChangers }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    try {
      await services.siteSetup.removeSiteSlot(request.actor!, siteId, idParam(request.params, 'slotId', 'Session slot'), request.body ?? {});
      return reply.redirect(`/sites/${siteId}/setup#slots`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSetup(reply.status(400), siteId, errorView(error, { prefix: 'slot-' }));
    }
  });

  app.post('/sites/:siteId/closures', { config: siteSetupChangers }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, closureDates);
    const body = dates.input;
    try {
      await services.siteSetup.addClosure(request.actor!, siteId, body);
      return reply.redirect(`/sites/${siteId}/setup?added=closure`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSetup(reply.status(400), siteId, { closureValues: body, ...dates.view(error, 'closure-') }, dates);
    }
  });
}
