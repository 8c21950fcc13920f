// The referral page: the man, the status, the full history and a form for each transition the signed-in
// user may make (only those: the workflow table decides), each with a reason box where the table needs one.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { can } from '../../../domain/permissions.js';
import { instrumentName } from '../../../domain/risk/instruments.js';
import { ValidationFailed } from '../../../services/errors.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { errorView } from '../../forms.js';
import { idParam } from '../../params.js';
import { riskLabels, riskTagClasses, statusLabel, statusTag } from '../../records.js';

const eligibilityTags = {
  eligible: { text: 'Eligible', classes: 'govuk-tag--green' },
  not_eligible: { text: 'Not eligible', classes: 'govuk-tag--red' },
  undetermined: { text: 'Undetermined', classes: 'govuk-tag--yellow' },
} as const;
const criterionLabels = { met: 'Met', not_met: 'Not met', unknown: 'Unknown' } as const;

type Body = Record<string, unknown>;

export async function referralRoutes(app: FastifyInstance, { services }: RouteContext): Promise<void> {
  const render = async (reply: FastifyReply, referralId: number, extra: Body = {}) => {
    const record = await services.referrals.getReferral(reply.request.actor!, referralId);
    const { referral, person } = record;
    return reply.render('referrals/show.njk', {
      pageTitle: `Referral ${referral.id}: ${person.givenName} ${person.familyName}`,
      record,
      statusTag: statusTag(referral.status),
      history: record.history.map((h) => ({ ...h, fromLabel: h.fromStatus ? statusLabel(h.fromStatus) : '—', toLabel: statusLabel(h.toStatus) })),
      eligibility: {
        tag: eligibilityTags[record.eligibility.result],
        criteria: record.eligibility.computed.criteria.map((c) => ({ ...c, statusLabel: criterionLabels[c.status] })),
      },
      scores: record.latestScores.map((s) => ({
        ...s,
        name: instrumentName(s.instrument),
        categoryTag: { text: riskLabels[s.category] ?? s.category, classes: riskTagClasses[s.category] ?? 'govuk-tag--grey' },
      })),
      canCreateGroup: can(reply.request.actor!.role, 'group.manage'),
      transitionErrors: {},
      ...extra,
    });
  };

  app.get('/referrals/:id', { config: permits('referral.read') }, async (request, reply) => render(reply, idParam(request.params, 'id', 'Referral')));

  app.post('/referrals/:id/transitions/:transition', { config: permits('referral.transition') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Referral');
    const { transition } = request.params as { transition: string };
    const body = (request.body ?? {}) as Body;
    try {
      await services.referrals.transitionReferral(request.actor!, id, transition, body);
      return reply.redirect(`/referrals/${id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      // One form per transition on the page: point the summary at this transition's fields.
      const view = errorView(error, { fieldId: (field) => `${transition}-${field}` });
      return render(reply.status(400), id, {
        errorList: view.errorList,
        transitionErrors: { [transition]: view.errors },
        transitionValues: { [transition]: body },
      });
    }
  });
}
