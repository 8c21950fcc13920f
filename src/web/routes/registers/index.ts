// A session's register page (record and correct it; a stale save shows what changed), and the treatment manager's
// record of a man's completion or deselection. Each status that needs minutes or a reason has its own input under
// its radio, so the form works without JavaScript: the route reads the input that belongs to the chosen status.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { entryText, registerStatuses, registerStatus, type RegisterStatus } from '../../../domain/delivery/register.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { EditConflict, NotFound, ValidationFailed } from '../../../services/errors.js';
import { errorView } from '../../forms.js';
import { idParam } from '../../params.js';
import { longDay } from '../../timetable-display.js';

type Body = Record<string, unknown>;

/** The form input holding the minutes or reason of a status, per man: one input per status that needs one. */
const detailInput: Partial<Record<RegisterStatus, string>> = {
  late: 'lateMinutes',
  left_early: 'leftEarlyMinutes',
  excused_absence: 'excusedReason',
  removed: 'removedReason',
};

/** The register form's fields as the service takes them: one entry per man, in the order of `personIds`. */
function entriesFromForm(body: Body, personIds: number[]) {
  return personIds.map((personId) => {
    const status = body[`status-${personId}`];
    const detail = typeof status === 'string' ? detailInput[status as RegisterStatus] : undefined;
    const value = detail ? body[`${detail}-${personId}`] : undefined;
    const needs = typeof status === 'string' && registerStatuses.some((s) => s.id === status) ? registerStatus(status as RegisterStatus).needs : null;
    return { personId, status, ...(needs === 'minutes' ? { minutes: value } : {}), ...(needs === 'reason' ? { reason: value } : {}) };
  });
}

export async function registerRoutes(app: FastifyInstance, { services }: RouteContext): Promise<void> {
  const registerOf = async (reply: FastifyReply) => {
    const params = reply.request.params;
    const groupId = idParam(params, 'id', 'Group');
    const register = await services.registers.getRegister(reply.request.actor!, idParam(params, 'sessionId', 'Session'));
    if (register.groupId !== groupId) throw new NotFound('Session');
    return register;
  };

  const renderRegister = async (reply: FastifyReply, values: Body | undefined, extra: Body = {}) => {
    const register = await registerOf(reply);
    // The form starts from what is recorded; after a refused save, from what was sent.
    const value = (personId: number, field: string) => {
      if (values) return values[`${field}-${personId}`];
      const entry = register.men.find((m) => m.personId === personId)?.entry;
      if (!entry) return undefined;
      if (field === 'status') return entry.status;
      return detailInput[entry.status] === field ? (entry.minutes ?? entry.reason) : undefined;
    };
    return reply.render('registers/register.njk', {
      pageTitle: `Register: ${register.groupName} session ${register.number}`,
      register,
      day: longDay(register.date),
      version: values?.version ?? register.version,
      statuses: registerStatuses,
      men: register.men.map((m) => ({
        ...m,
        recorded: entryText(m.entry ?? undefined),
        status: value(m.personId, 'status'),
        lateMinutes: value(m.personId, 'lateMinutes'),
        leftEarlyMinutes: value(m.personId, 'leftEarlyMinutes'),
        excusedReason: value(m.personId, 'excusedReason'),
        removedReason: value(m.personId, 'removedReason'),
      })),
      saved: (reply.request.query as Body).saved === '1',
      ...extra,
    });
  };

  app.get('/groups/:id/sessions/:sessionId/register', { config: permits('group.read') }, async (request, reply) => renderRegister(reply, undefined));

  app.post('/groups/:id/sessions/:sessionId/register', { config: permits('register.record') }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const sessionId = idParam(request.params, 'sessionId', 'Session');
    const body = (request.body ?? {}) as Body;
    const register = await registerOf(reply);
    const personIds = register.men.map((m) => m.personId);
    const input = { version: body.version, entries: entriesFromForm(body, personIds) };
    try {
      await services.registers.recordRegister(request.actor!, sessionId, input);
      return reply.redirect(`/groups/${groupId}/sessions/${sessionId}/register?saved=1`, 303);
    } catch (error) {
      if (error instanceof EditConflict) {
        const conflict = await services.registers.registerConflict(request.actor!, sessionId, Number(body.version) || 0, input);
        return reply.status(409).render('registers/conflict.njk', { pageTitle: 'Someone else saved this register', register, conflict });
      }
      if (!(error instanceof ValidationFailed)) throw error;
      // entries.3.minutes → the input of the chosen status for the fourth man, with his name in the message.
      const named = new ValidationFailed(
        error.errors.map((e) => {
          const [, index, field] = /^entries\.(\d+)\.(\w+)$/.exec(e.field) ?? [];
          if (index === undefined) return e;
          const man = register.men[Number(index)];
          const status = input.entries[Number(index)].status as RegisterStatus;
          const input_ = field === 'status' || field === 'personId' ? 'status' : (detailInput[status] ?? 'status');
          return { ...e, field: `${input_}-${man.personId}`, message: `${man.name}: ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}` };
        }),
      );
      return renderRegister(reply.status(400), body, errorView(named));
    }
  });

  // ------------------------------------------------------------------ completion and deselection
  const renderCompletion = async (reply: FastifyReply, values: Body, extra: Body = {}) => {
    const groupId = idParam(reply.request.params, 'id', 'Group');
    const memberId = idParam(reply.request.params, 'memberId', 'Member');
    const progress = await services.registers.getGroupProgress(reply.request.actor!, groupId);
    const man = progress.men.find((m) => m.memberId === memberId && m.current);
    if (!man) throw new NotFound('Member');
    return reply.render('registers/completion.njk', {
      pageTitle: `Record completion or deselection: ${man.name}`,
      progress,
      man,
      values,
      reasonItems: progress.deselectionReasons.map((r) => ({ value: r.id, text: r.text, checked: values.reasonId === r.id })),
      ...extra,
    });
  };

  const completers = permits('completion.record');
  app.get('/groups/:id/members/:memberId/completion', { config: completers }, async (request, reply) => renderCompletion(reply, {}));

  app.post('/groups/:id/members/:memberId/completion', { config: completers }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const body = (request.body ?? {}) as Body;
    try {
      await services.registers.recordCompletion(request.actor!, groupId, idParam(request.params, 'memberId', 'Member'), body);
      return reply.redirect(`/groups/${groupId}#progress`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderCompletion(reply.status(400), body, errorView(error, { anchors: { outcome: 'outcome', reasonId: 'reasonId', transition: 'outcome' } }));
    }
  });
}
