// A man's end-of-treatment report: a printable page, and the form on which the facilitators write their
// summary of his work on each risk domain.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../../domain/permissions.js';
import { ValidationFailed } from '../../../services/errors.js';
import type { TreatmentReport } from '../../../services/treatment-reports.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { errorView } from '../../forms.js';
import { formatDate } from '../../format.js';
import { idParam } from '../../params.js';
import { changeView } from '../../psychometric-change.js';

export async function treatmentReportRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  const reportOf = (request: FastifyRequest) =>
    services.treatmentReports.getTreatmentReport(request.actor!, idParam(request.params, 'memberId', 'Group member'));

  app.get('/group-members/:memberId/report', { config: permits('treatment_report.read') }, async (request, reply) => {
    const report = await reportOf(request);
    return reply.render('reports/report.njk', {
      pageTitle: `End-of-treatment report: ${report.man.name}`,
      report,
      catchUpRows: report.catchUps.map((c) => [
        { text: `Session ${c.sessionNumber}` },
        { text: formatDate(c.date) },
        { text: c.facilitatorName },
        { text: c.status === 'delivered' ? `Delivered ${formatDate(c.deliveredOn)}` : c.status === 'booked' ? 'Booked' : 'Cancelled' },
      ]),
      stateText: { in_progress: 'In treatment', complete: 'Completed the programme', deselected: 'Deselected' }[report.progress.state],
      blocksDone: report.blocks.filter((b) => b.completed).length,
      change: changeView(report.psychometricChange, programmes),
      canWrite: can(request.actor!.role, 'treatment_report.write'),
    });
  });

  const summaryForm = (reply: FastifyReply, report: TreatmentReport, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    reply.render('reports/summaries.njk', { pageTitle: `Summary of treatment: ${report.man.name}`, report, values, ...extra });

  app.get('/group-members/:memberId/report/summaries', { config: permits('treatment_report.write') }, async (request, reply) => {
    const report = await reportOf(request);
    return summaryForm(reply, report, Object.fromEntries(report.domains.map((d) => [d.id, d.summary])));
  });

  app.post('/group-members/:memberId/report/summaries', { config: permits('treatment_report.write') }, async (request, reply) => {
    const memberId = idParam(request.params, 'memberId', 'Group member');
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      await services.treatmentReports.saveTreatmentSummaries(request.actor!, memberId, body);
      return reply.redirect(`/group-members/${memberId}/report`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return summaryForm(reply.status(400), await reportOf(request), body, errorView(error));
    }
  });
}
