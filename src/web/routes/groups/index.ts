// Group pages: list, create, the timetable by week, cancelling a session (showing what moved), swapping a
// facilitator, catch-up sessions, allocation from the waitlist, a site's week and its rooms and closures.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.js';
import { forRoles } from '../../access.js';
import { errorView } from '../../forms.js';
import type { Actor } from '../../../services/access.js';
import { ValidationFailed } from '../../../services/errors.js';
import { listSites } from '../../../services/sites.js';
import {
  allocateToGroup,
  allocationChoice,
  createGroup,
  generateTimetable,
  getGroup,
  groupFormOptions,
  listGroups,
  removeFromGroup,
  slotStartTimes,
  teamRoleLabels,
} from '../../../services/groups.js';
import { bookCatchUp, cancelSession, recordCatchUpOutcome, siteWeek, swapFacilitator, swapOptions } from '../../../services/timetable.js';
import { addClosure, addRoom, getSiteSetup } from '../../../services/site-setup.js';
import { londonToday } from '../../../services/scheduling.js';
import { weekdayNames } from '../../../domain/schedule/calendar.js';
import { byWeek, longDay, numberParam, shortDay, statusTags, weekdayLabels } from './present.js';

const readers = forRoles('treatment_manager', 'administrator', 'auditor', 'facilitator');
const managers = forRoles('treatment_manager');
const siteReaders = forRoles('treatment_manager', 'administrator', 'auditor');

type Body = Record<string, unknown>;

export async function groupRoutes(app: FastifyInstance, { database }: AppContext): Promise<void> {
  const { db } = database;

  app.get('/groups', { config: readers }, async (request, reply) => {
    const actor = request.actor!;
    const groups = await listGroups(db, actor);
    const sites = await listSites(db, actor);
    const manages = actor.role === 'treatment_manager';
    return reply.render('groups/list.njk', {
      pageTitle: 'Groups',
      groups: groups.map((g) => ({
        ...g,
        tag: statusTags[g.status],
        firstDay: g.firstDate ? longDay(g.firstDate) : 'Not scheduled',
        lastDay: g.lastDate ? longDay(g.lastDate) : 'Not scheduled',
      })),
      sites: actor.role === 'facilitator' ? [] : sites,
      manages,
    });
  });

  // ------------------------------------------------------------------ create
  const renderNewForm = async (reply: FastifyReply, siteId: number, values: Body, extra: Body = {}) => {
    const options = await groupFormOptions(db, reply.request.actor!, siteId);
    const chosenSlots = new Set([values.slots ?? []].flat().map(String));
    const sites = await listSites(db, reply.request.actor!);
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
      programmeItems: options.programmes.map((p) => ({ value: p.id, text: `${p.name} (up to ${p.capacity} men)`, checked: (values.programmeId ?? options.programmes[0]?.id) === p.id })),
      roomItems: [{ value: '', text: 'Choose a room' }, ...options.rooms.map((r) => ({ value: String(r.id), text: r.name, selected: String(values.roomId ?? '') === String(r.id) }))],
      managerItems: person(options.managers, values.treatmentManagerId ?? reply.request.actor!.userId, 'Choose a treatment manager'),
      leadItems: person(options.facilitators, values.leadId, 'Choose a lead facilitator'),
      coItems: person(options.facilitators, values.coId, 'Choose a co-facilitator'),
      coverItems: person(options.facilitators, values.coverId, 'No cover facilitator'),
      slotItems: weekdayNames.slice(0, 5).flatMap((day) =>
        slotStartTimes.map((time) => ({ value: `${day} ${time}`, text: `${weekdayLabels[day]} ${time}`, checked: chosenSlots.has(`${day} ${time}`) })),
      ),
      ...extra,
    });
  };

  app.get('/groups/new', { config: managers }, async (request, reply) => {
    const actor = request.actor!;
    const query = request.query as Record<string, string | undefined>;
    const siteId = query.site ? Number(query.site) : actor.siteIds[0];
    if (!Number.isInteger(siteId)) throw ValidationFailed.one('site', 'Choose a site');
    return renderNewForm(reply, siteId, { capacity: '9' });
  });

  app.post('/groups', { config: managers }, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const siteId = Number(body.siteId);
    if (!Number.isInteger(siteId) || siteId <= 0) throw ValidationFailed.one('siteId', 'Choose a site');
    try {
      const created = await createGroup(db, request.actor!, siteId, body);
      return reply.redirect(`/groups/${created.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderNewForm(reply.status(400), siteId, body, errorView(error));
    }
  });

  // ------------------------------------------------------------------ group page
  app.get('/groups/:id', { config: readers }, async (request, reply) => {
    const group = await getGroup(db, request.actor!, numberParam(request.params, 'id', 'Group'));
    const today = londonToday();
    const live = group.sessions.filter((s) => s.status !== 'cancelled');
    return reply.render('groups/show.njk', {
      pageTitle: group.name,
      group,
      tag: statusTags[group.status],
      slots: group.slots.map((s) => `${weekdayLabels[s.weekday]} ${s.start}`).join(', '),
      team: group.team.map((t) => ({ ...t, roleLabel: teamRoleLabels[t.teamRole] })),
      weeks: byWeek(group.sessions, today),
      firstDay: live.length ? longDay(live[0].date) : null,
      lastDay: live.length ? longDay(live[live.length - 1].date) : null,
      catchUps: group.catchUps.map((c) => ({ ...c, day: shortDay(c.date), tag: statusTags[c.status] })),
      outstanding: group.catchUps.filter((c) => c.status === 'booked').length,
      placesLeft: group.capacity - group.members.length,
      swapped: /^\d+$/.test(String((request.query as Record<string, unknown>).swapped ?? '')) ? Number((request.query as Record<string, string>).swapped) : null,
    });
  });

  app.post('/groups/:id/timetable', { config: managers }, async (request, reply) => {
    const id = numberParam(request.params, 'id', 'Group');
    await generateTimetable(db, request.actor!, id, request.body ?? {});
    return reply.redirect(`/groups/${id}`, 303);
  });

  // ------------------------------------------------------------------ cancel
  const sessionOf = async (actor: Actor, groupId: number, sessionId: number) => {
    const group = await getGroup(db, actor, groupId);
    const session = group.sessions.find((s) => s.id === sessionId);
    if (!session) throw ValidationFailed.one('session', 'That session is not in this group');
    return { group, session: { ...session, day: longDay(session.date) } };
  };

  app.get('/groups/:id/sessions/:sessionId/cancel', { config: managers }, async (request, reply) => {
    const { group, session } = await sessionOf(request.actor!, numberParam(request.params, 'id', 'Group'), numberParam(request.params, 'sessionId', 'Session'));
    return reply.render('groups/cancel.njk', { pageTitle: `Cancel session ${session.number}`, group, session, values: {} });
  });

  app.post('/groups/:id/sessions/:sessionId/cancel', { config: managers }, async (request, reply) => {
    const groupId = numberParam(request.params, 'id', 'Group');
    const sessionId = numberParam(request.params, 'sessionId', 'Session');
    const body = (request.body ?? {}) as Body;
    try {
      const result = await cancelSession(db, request.actor!, sessionId, body);
      if (result.groupId !== groupId) throw ValidationFailed.one('session', 'That session is not in this group');
      const group = await getGroup(db, request.actor!, groupId);
      return reply.render('groups/cancelled.njk', {
        pageTitle: `Session ${result.cancelled.number} cancelled`,
        group,
        result,
        cancelledDay: longDay(result.cancelled.date),
        moved: result.moved.map((m) => ({ ...m, fromDay: shortDay(m.fromDate), toDay: shortDay(m.toDate) })),
        lastBefore: longDay(result.lastDateBefore),
        lastAfter: longDay(result.lastDateAfter),
      });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const { group, session } = await sessionOf(request.actor!, groupId, sessionId);
      return reply.status(400).render('groups/cancel.njk', { pageTitle: `Cancel session ${session.number}`, group, session, values: body, ...errorView(error) });
    }
  });

  // ------------------------------------------------------------------ swap
  const renderSwap = async (reply: FastifyReply, groupId: number, sessionId: number, values: Body, extra: Body = {}) => {
    const actor = reply.request.actor!;
    const { group, session } = await sessionOf(actor, groupId, sessionId);
    const replacedId = Number(values.replacedId ?? session.facilitators[0]?.id);
    const options = await swapOptions(db, actor, sessionId, session.facilitators.some((f) => f.id === replacedId) ? replacedId : session.facilitators[0].id);
    return reply.render('groups/swap.njk', {
      pageTitle: `Swap a facilitator in session ${session.number}`,
      group,
      session,
      options,
      replacedItems: session.facilitators.map((f) => ({ value: String(f.id), text: f.displayName, checked: f.id === replacedId })),
      candidateItems: options.candidates.map((c) => ({ value: String(c.id), text: c.displayName, checked: String(values.replacementId ?? '') === String(c.id) })),
      ...extra,
    });
  };

  app.get('/groups/:id/sessions/:sessionId/swap', { config: managers }, async (request, reply) =>
    renderSwap(reply, numberParam(request.params, 'id', 'Group'), numberParam(request.params, 'sessionId', 'Session'), {}),
  );

  app.post('/groups/:id/sessions/:sessionId/swap', { config: managers }, async (request, reply) => {
    const groupId = numberParam(request.params, 'id', 'Group');
    const sessionId = numberParam(request.params, 'sessionId', 'Session');
    const body = (request.body ?? {}) as Body;
    try {
      const result = await swapFacilitator(db, request.actor!, sessionId, body);
      return reply.redirect(`/groups/${result.groupId}?swapped=${result.number}#session-${sessionId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSwap(reply.status(400), groupId, sessionId, body, errorView(error));
    }
  });

  // ------------------------------------------------------------------ catch-ups
  const renderCatchUp = async (reply: FastifyReply, groupId: number, values: Body, extra: Body = {}) => {
    const group = await getGroup(db, reply.request.actor!, groupId);
    const today = londonToday();
    return reply.render('groups/catch-up.njk', {
      pageTitle: 'Book a catch-up session',
      group,
      values,
      memberItems: [{ value: '', text: 'Choose a man' }, ...group.members.map((m) => ({ value: String(m.id), text: `${m.name} (${m.prisonNumber})`, selected: String(values.memberId ?? '') === String(m.id) }))],
      sessionItems: [
        { value: '', text: 'Choose the session he missed' },
        ...group.sessions
          .filter((s) => s.status !== 'cancelled' && s.date <= (typeof values.date === 'string' && values.date > today ? values.date : '9999-12-31'))
          .map((s) => ({ value: String(s.id), text: `Session ${s.number} (block ${s.block}), ${shortDay(s.date)}`, selected: String(values.sessionId ?? '') === String(s.id) })),
      ],
      facilitatorItems: [{ value: '', text: 'Choose a facilitator' }, ...group.team.map((t) => ({ value: String(t.userId), text: t.displayName, selected: String(values.facilitatorId ?? '') === String(t.userId) }))],
      ...extra,
    });
  };

  app.get('/groups/:id/catch-ups/new', { config: managers }, async (request, reply) => renderCatchUp(reply, numberParam(request.params, 'id', 'Group'), {}));

  app.post('/groups/:id/catch-ups', { config: managers }, async (request, reply) => {
    const groupId = numberParam(request.params, 'id', 'Group');
    const body = (request.body ?? {}) as Body;
    try {
      await bookCatchUp(db, request.actor!, groupId, body);
      return reply.redirect(`/groups/${groupId}#catch-ups`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderCatchUp(reply.status(400), groupId, body, errorView(error));
    }
  });

  app.post('/groups/:id/catch-ups/:catchUpId/outcome', { config: forRoles('treatment_manager', 'facilitator') }, async (request, reply) => {
    const groupId = numberParam(request.params, 'id', 'Group');
    await recordCatchUpOutcome(db, request.actor!, numberParam(request.params, 'catchUpId', 'Catch-up'), request.body ?? {});
    return reply.redirect(`/groups/${groupId}#catch-ups`, 303);
  });

  // ------------------------------------------------------------------ allocation
  const renderAllocate = async (reply: FastifyReply, groupId: number, values: Body, extra: Body = {}) => {
    const choice = await allocationChoice(db, reply.request.actor!, groupId);
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

  app.get('/groups/:id/allocate', { config: managers }, async (request, reply) => renderAllocate(reply, numberParam(request.params, 'id', 'Group'), {}));

  app.post('/groups/:id/allocate', { config: managers }, async (request, reply) => {
    const groupId = numberParam(request.params, 'id', 'Group');
    const body = (request.body ?? {}) as Body;
    try {
      await allocateToGroup(db, request.actor!, groupId, body);
      return reply.redirect(`/groups/${groupId}#members`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderAllocate(reply.status(400), groupId, body, errorView(error));
    }
  });

  // ------------------------------------------------------------------ removal from the group
  const renderRemove = async (reply: FastifyReply, groupId: number, referralId: number, values: Body, extra: Body = {}) => {
    const group = await getGroup(db, reply.request.actor!, groupId);
    const member = group.members.find((m) => m.referralId === referralId);
    if (!member) throw ValidationFailed.one('referralId', 'He is not a current member of this group');
    return reply.render('groups/remove-member.njk', { pageTitle: `Remove ${member.name} from ${group.name}`, group, member, values, errors: {}, ...extra });
  };

  app.get('/groups/:id/members/:referralId/remove', { config: managers }, async (request, reply) =>
    renderRemove(reply, numberParam(request.params, 'id', 'Group'), numberParam(request.params, 'referralId', 'Referral'), {}),
  );

  app.post('/groups/:id/members/:referralId/remove', { config: managers }, async (request, reply) => {
    const groupId = numberParam(request.params, 'id', 'Group');
    const referralId = numberParam(request.params, 'referralId', 'Referral');
    const body = (request.body ?? {}) as Body;
    try {
      await removeFromGroup(db, request.actor!, groupId, { ...body, referralId });
      return reply.redirect(`/groups/${groupId}#members`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderRemove(reply.status(400), groupId, referralId, body, errorView(error));
    }
  });

  // ------------------------------------------------------------------ a site's week, rooms and closures
  app.get('/sites/:siteId/week', { config: siteReaders }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const week = await siteWeek(db, request.actor!, numberParam(request.params, 'siteId', 'Site'), query.date);
    return reply.render('groups/site-week.njk', {
      pageTitle: `${week.siteName}: week beginning ${longDay(week.monday)}`,
      week,
      siteId: numberParam(request.params, 'siteId', 'Site'),
      days: week.days.map((d) => ({ ...d, label: longDay(d.date), entries: d.entries.map((e) => ({ ...e, tag: statusTags[e.status] })) })),
    });
  });

  const renderSetup = async (reply: FastifyReply, siteId: number, extra: Body = {}) => {
    const setup = await getSiteSetup(db, reply.request.actor!, siteId);
    return reply.render('groups/site-setup.njk', {
      pageTitle: `${setup.site.name}: rooms and closures`,
      setup,
      closures: setup.closures.map((c) => ({ ...c, day: longDay(c.date) })),
      canEdit: reply.request.actor!.role === 'treatment_manager' || reply.request.actor!.role === 'administrator',
      roomValues: {},
      closureValues: {},
      ...extra,
    });
  };

  app.get('/sites/:siteId/setup', { config: siteReaders }, async (request, reply) => renderSetup(reply, numberParam(request.params, 'siteId', 'Site')));

  app.post('/sites/:siteId/rooms', { config: forRoles('treatment_manager', 'administrator') }, async (request, reply) => {
    const siteId = numberParam(request.params, 'siteId', 'Site');
    const body = (request.body ?? {}) as Body;
    try {
      await addRoom(db, request.actor!, siteId, body);
      return reply.redirect(`/sites/${siteId}/setup`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSetup(reply.status(400), siteId, { roomValues: body, ...prefixed(errorView(error), 'room') });
    }
  });

  app.post('/sites/:siteId/closures', { config: forRoles('treatment_manager', 'administrator') }, async (request, reply) => {
    const siteId = numberParam(request.params, 'siteId', 'Site');
    const body = (request.body ?? {}) as Body;
    try {
      const result = await addClosure(db, request.actor!, siteId, body);
      return renderSetup(reply, siteId, { added: result });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderSetup(reply.status(400), siteId, { closureValues: body, ...prefixed(errorView(error), 'closure') });
    }
  });
}

/** Two forms on one page: field ids are prefixed so the error summary links to the right input. */
function prefixed(view: ReturnType<typeof errorView>, prefix: string) {
  const errors: Record<string, { text: string }> = {};
  for (const [field, message] of Object.entries(view.errors)) errors[`${prefix}-${field}`] = message;
  return { errors, errorList: view.errorList.map((e) => ({ ...e, href: e.href.replace('#', `#${prefix}-`) })) };
}
