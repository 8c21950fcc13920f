// Psychometric tests and change: the form on which an assessor records (or corrects) a man's test, and the
// change summaries per programme and per group, with researchers' pseudonymised CSV of each man's change.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { londonToday } from '../../../clock.js';
import { can } from '../../../domain/permissions.js';
import { occasionLabels, occasions } from '../../../domain/psychometrics/instrument.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { ValidationFailed } from '../../../services/errors.js';
import { responseField, type ChangeSummary } from '../../../services/psychometrics.js';
import { DateInputs } from '../../dates.js';
import { sendCsv } from '../../downloads.js';
import { idParam } from '../../params.js';

type Body = Record<string, unknown>;
const testDates = { administeredOn: 'Date of the test' };

const percent = (count: number, n: number) => (n === 0 ? '—' : `${Math.round((100 * count) / n)}% (${count})`);

/** A summary's rows as the table shows them: each proportion of the domain's scale results. */
function summaryRows(summary: ChangeSummary) {
  return summary.domains.map((d) => ({
    name: d.name,
    n: d.n,
    improved: percent(d.improved, d.n),
    unchanged: percent(d.unchanged, d.n),
    deteriorated: percent(d.deteriorated, d.n),
    recovered: percent(d.recovered, d.n),
  }));
}

export async function psychometricRoutes(app: FastifyInstance, { services, programmes, config }: RouteContext): Promise<void> {
  const renderForm = async (reply: FastifyReply, personId: number, instrumentId: string, occasion: unknown, values: Body | null, extra: Body = {}) => {
    const form = await services.psychometrics.testForm(reply.request.actor!, personId, instrumentId, occasion);
    const { instrument, person, existing } = form;
    const errors = (extra.errors ?? {}) as Record<string, unknown>;
    if (!instrument) {
      return reply.render('psychometrics/choose.njk', {
        pageTitle: `Record a psychometric test for ${person.givenName} ${person.familyName}`,
        person,
        instrumentItems: form.instruments.map((i) => ({ value: i.id, text: i.name })),
        errors,
        ...extra,
      });
    }
    const filled: Body = values ?? {
      occasion: form.occasion,
      administeredOn: existing?.administeredOn,
      version: existing?.version,
      ...Object.fromEntries(Object.entries(existing?.responses ?? {}).map(([id, answer]) => [responseField(id), answer])),
    };
    const dates = (extra.dates as DateInputs | undefined) ?? DateInputs.fromRecord(filled, testDates);
    const { min, max } = instrument.responseScale;
    return reply.render('psychometrics/test-form.njk', {
      pageTitle: `${existing ? 'Correct' : 'Record'} ${instrument.name} for ${person.givenName} ${person.familyName}`,
      person,
      instrument,
      correcting: existing !== null && values === null,
      values: filled,
      dateItems: dates.items('administeredOn'),
      occasionItems: occasions.map((o) => ({ value: o, text: occasionLabels[o], checked: filled.occasion === o })),
      items: instrument.items.map((item, i) => ({
        number: i + 1,
        text: item.text,
        name: responseField(item.id),
        error: errors[responseField(item.id)],
        answers: Array.from({ length: max - min + 1 }, (_, k) => String(min + k)).map((value) => ({
          value,
          text: value,
          checked: filled[responseField(item.id)] !== undefined && filled[responseField(item.id)] !== null && String(filled[responseField(item.id)]) === value,
        })),
      })),
      errors,
      ...extra,
    });
  };

  app.get('/people/:id/psychometrics/new', { config: permits('psychometric.record') }, async (request, reply) => {
    const query = request.query as Body;
    return renderForm(reply, idParam(request.params, 'id', 'Person'), String(query.instrument ?? ''), query.occasion, null);
  });

  app.post('/people/:id/psychometrics', { config: permits('psychometric.record') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, testDates);
    const body = dates.input;
    try {
      await services.psychometrics.recordTest(request.actor!, id, body, londonToday());
      return reply.redirect(`/people/${id}#psychometrics`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderForm(reply.status(400), id, String(body.instrument ?? ''), body.occasion, body, { ...dates.view(error), dates });
    }
  });

  app.get('/psychometric-change', { config: permits('psychometric.summary.read') }, async (request, reply) => {
    const query = request.query as Body;
    const programme = programmes.find((p) => p.id === query.programme) ?? programmes[0];
    const summary = await services.psychometrics.programmeChangeSummary(request.actor!, programme.id);
    return reply.render('psychometrics/summary.njk', {
      pageTitle: `Psychometric change: ${programme.name}`,
      title: `Psychometric change: ${programme.name}`,
      summary,
      rows: summaryRows(summary),
      programmeItems: programmes.length > 1 ? programmes.map((p) => ({ value: p.id, text: p.name, selected: p.id === programme.id })) : [],
      canExport: can(request.actor!.role, 'psychometric.export'),
    });
  });

  app.get('/psychometric-change/export.csv', { config: permits('psychometric.export') }, async (request, reply) => {
    const { csv } = await services.psychometrics.changeExportCsv(request.actor!, config.pseudonymKey);
    return sendCsv(reply, `psychometric-change-${londonToday()}.csv`, csv);
  });

  app.get('/groups/:id/psychometric-change', { config: permits('psychometric.summary.read') }, async (request, reply) => {
    const summary = await services.psychometrics.groupChangeSummary(request.actor!, idParam(request.params, 'id', 'Group'));
    return reply.render('psychometrics/summary.njk', {
      pageTitle: `Psychometric change: ${summary.group.name}`,
      title: `Psychometric change: ${summary.group.name}`,
      caption: summary.group.siteName,
      summary,
      rows: summaryRows(summary),
      programmeItems: [],
      canExport: false,
    });
  });
}
