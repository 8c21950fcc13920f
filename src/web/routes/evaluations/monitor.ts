// The harm monitor's page for one programme: the design (fixed before the first look), every look with its
// chart, a button to take a look that is due, and the looks as CSV.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { can } from '../../../domain/permissions.js';
import { monitorChart } from '../../../domain/evaluation/monitor-chart.js';
import { permits } from '../../../http/access.js';
import { errorView } from '../../forms.js';
import { DateInputs } from '../../dates.js';
import { sendCsv } from '../../downloads.js';
import { NotFound, ValidationFailed } from '../../../services/errors.js';
import { covariatesOf, outcomesOf } from '../../../services/cohort-file-check.js';
import { programmeCovariates } from '../../../services/evaluations.js';

const designDates = { firstLook: 'Date of the first look' };
const decisionTags = {
  continue: { text: 'Continue', classes: 'govuk-tag--grey' },
  harm: { text: 'Harm', classes: 'govuk-tag--red' },
  benefit: { text: 'Benefit', classes: 'govuk-tag--green' },
} as const;

export async function monitorRoutes(app: FastifyInstance, { services, config, programmes }: RouteContext): Promise<void> {
  const programmeOf = (params: unknown) => {
    const id = (params as { programmeId?: string }).programmeId;
    const programme = programmes.find((p) => p.id === id);
    if (!programme) throw new NotFound('Programme');
    return programme;
  };

  const page = async (reply: FastifyReply, programmeId: string, dates: DateInputs, values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const actor = reply.request.actor!;
    const programme = programmeOf({ programmeId });
    const monitor = await services.harmMonitor.getMonitor(actor, programmeId);
    const mayDesign = can(actor.role, 'monitor.design') && !monitor?.locked;
    const pools = mayDesign ? (await services.cohortImports.listCohortImports(actor)).filter((i) => i.kind === 'comparison') : [];
    const poolId = Number(values.cohortImportId ?? monitor?.cohortImportId) || pools[0]?.id;
    const pool = pools.find((p) => p.id === poolId);
    const picked = new Set([values.covariates ?? monitor?.covariates ?? []].flat().map(String));
    const d = { ...monitor?.design, ...values } as Record<string, unknown>;
    return reply.render('evaluations/monitor.njk', {
      pageTitle: `Harm monitor: ${programme.name}`,
      programme,
      monitor,
      chart: monitor?.looks.length ? monitorChart(monitor.looks) : null,
      tags: decisionTags,
      mayDesign,
      mayLook: can(actor.role, 'monitor.look') && Boolean(monitor?.pending.some((p) => p.due)),
      mayExport: can(actor.role, 'monitor.export') && Boolean(monitor?.looks.length),
      values: d,
      dateItems: dates.items('firstLook'),
      poolItems: pools.map((p) => ({ value: String(p.id), text: `${p.fileName} (${p.rows} men)`, selected: p.id === poolId })),
      covariateItems: (pool ? covariatesOf(pool.columns).filter((c) => (programmeCovariates as readonly string[]).includes(c)) : []).map((c) => ({
        value: c,
        text: c,
        checked: picked.has(c),
      })),
      outcomeItems: (pool ? outcomesOf(pool.columns) : []).map((o) => ({ value: o, text: o, selected: (d.outcome ?? monitor?.outcome) === o })),
      notice: (reply.request.query as { notice?: string }).notice,
      ...extra,
    });
  };

  app.get('/evaluations/monitor/:programmeId', { config: permits('monitor.read') }, async (request, reply) => {
    const { programmeId } = request.params as { programmeId: string };
    const monitor = await services.harmMonitor.getMonitor(request.actor!, programmeOf(request.params).id);
    return page(reply, programmeId, DateInputs.fromRecord({ firstLook: monitor?.design.firstLook }, designDates), {});
  });

  app.post('/evaluations/monitor/:programmeId/design', { config: permits('monitor.design') }, async (request, reply) => {
    const programme = programmeOf(request.params);
    const dates = DateInputs.fromForm((request.body ?? {}) as Record<string, unknown>, designDates);
    try {
      await services.harmMonitor.saveMonitorDesign(request.actor!, programme.id, dates.input);
      return reply.redirect(`/evaluations/monitor/${programme.id}?notice=${encodeURIComponent('Design saved')}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return page(reply.status(400), programme.id, dates, dates.input, dates.view(error));
    }
  });

  app.post('/evaluations/monitor/:programmeId/looks', { config: permits('monitor.look') }, async (request, reply) => {
    const programme = programmeOf(request.params);
    try {
      const look = await services.harmMonitor.takeDueLook(request.actor!, programme.id, { pseudonymKey: config.pseudonymKey });
      const notice = look ? `Look of ${look.date} taken: ${look.decision}` : 'That look had just been taken';
      return reply.redirect(`/evaluations/monitor/${programme.id}?notice=${encodeURIComponent(notice)}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return page(reply.status(400), programme.id, DateInputs.fromRecord({}, designDates), {}, errorView(error));
    }
  });

  app.get('/evaluations/monitor/:programmeId/looks.csv', { config: permits('monitor.export') }, async (request, reply) => {
    const programme = programmeOf(request.params);
    const csv = await services.harmMonitor.monitorLooksCsv(request.actor!, programme.id);
    return sendCsv(reply, `harm-monitor-${programme.id}.csv`, csv);
  });
}
