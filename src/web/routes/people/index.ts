// People pages: search, create and edit a man's record, his offence history, risk scoring forms, the
// person page (scores with their points, eligibility with reasons and the override, referrals).
import { megabytes } from '../../../domain/delivery/products.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { londonToday } from '../../../clock.js';
import { can } from '../../../domain/permissions.js';
import { referralStatus, type ReferralStatusId } from '../../../domain/referral/workflow.js';
import { occasionLabels, type Occasion } from '../../../domain/psychometrics/instrument.js';
import { instrumentName } from '../../../domain/risk/instruments.js';
import { percentage } from '../../../domain/risk/osp.js';
import type { Actor } from '../../../services/access.js';
import { type PersonEligibility } from '../../../services/eligibility.js';
import { NotFound, ValidationFailed } from '../../../services/errors.js';
import { type PersonRecord } from '../../../services/people.js';
import { ospLabels, rm2000Labels, type ScoredInstrument } from '../../../services/risk-scores.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { errorView } from '../../forms.js';
import { changeView } from '../../psychometric-change.js';
import { DateInputs } from '../../dates.js';
import { idParam } from '../../params.js';
import { convictionCategoryLabels, progressTags, riskLabels, riskTagClasses, statusTag, withQuery } from '../../records.js';

// Labels as the form's legends read, so a date's error names the box the person sees.
const personDates = { dateOfBirth: 'Date of birth', sentenceDate: 'Sentence date', earliestReleaseDate: 'Earliest release date', iqDate: 'Date of the test' };
const convictionDates = { convictionDate: 'Date of conviction' };
type Body = Record<string, unknown>;

const instruments: Record<
  string,
  { id: ScoredInstrument; title: string; fields: Array<{ name: string; label: string; kind: 'number' | 'boolean' | 'sex'; hint?: string }> }
> = {
  rm2000s: {
    id: 'rm2000s',
    title: 'Score RM2000/S',
    fields: [
      {
        name: 'ageAtCommencementOfRisk',
        label: rm2000Labels.ageAtCommencementOfRisk,
        kind: 'number',
        hint: 'His age in whole years at the start of the period at risk (normally his age on release). RM2000/S scores men aged 18 or over.',
      },
      {
        name: 'sexualAppearances',
        label: rm2000Labels.sexualAppearances,
        kind: 'number',
        hint: 'Sentencing occasions for sexual offences, including the current one. Pre-filled from distinct sexual conviction dates.',
      },
      {
        name: 'criminalAppearances',
        label: rm2000Labels.criminalAppearances,
        kind: 'number',
        hint: 'All sentencing occasions, sexual ones included. Pre-filled from distinct conviction dates.',
      },
      { name: 'maleVictim', label: rm2000Labels.maleVictim, kind: 'boolean' },
      { name: 'strangerVictim', label: rm2000Labels.strangerVictim, kind: 'boolean' },
      { name: 'singleNeverMarried', label: rm2000Labels.singleNeverMarried, kind: 'boolean' },
      { name: 'nonContactSexualOffence', label: rm2000Labels.nonContactSexualOffence, kind: 'boolean' },
    ],
  },
  osp: {
    id: 'osp',
    title: 'Score OSP/DC and OSP/IIC',
    fields: (Object.keys(ospLabels) as Array<keyof typeof ospLabels>).map((name) => ({
      name,
      label: ospLabels[name],
      kind: name === 'sex' ? 'sex' : name === 'currentOffenceAgainstStranger' || name === 'inCustody' ? 'boolean' : 'number',
    })),
  },
};

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function asFormValues(p: Record<string, unknown>): Body {
  const v: Body = { ...p };
  v.neverMarried = p.neverMarried === true ? 'yes' : p.neverMarried === false ? 'no' : '';
  v.sexualMurder = p.sexualMurder ? 'true' : '';
  return v;
}

export async function peopleRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  const siteItems = async (actor: Actor, chosen: unknown) =>
    (await services.sites.listSites(actor)).map((s) => ({ value: String(s.id), text: s.name, selected: String(chosen ?? '') === String(s.id) }));

  const renderForm = async (reply: FastifyReply, mode: 'new' | 'edit', values: Body, dates: DateInputs, extra: Body = {}) => {
    const actor = reply.request.actor!;
    return reply.render('people/form.njk', {
      pageTitle: mode === 'new' ? 'Add a person' : 'Edit person',
      mode,
      values,
      action: mode === 'new' ? '/people' : `/people/${values.id}`,
      sites: [{ value: '', text: 'Choose a site' }, ...(await siteItems(actor, values.siteId))],
      dates: dates.allItems(),
      ...extra,
    });
  };

  const renderPerson = async (reply: FastifyReply, personId: number, extra: Body = {}) => {
    const actor = reply.request.actor!;
    const record: PersonRecord = await services.people.getPerson(actor, personId);
    const today = londonToday();
    const eligibility: PersonEligibility[] = [];
    for (const p of programmes) eligibility.push(await services.eligibility.getEligibility(actor, personId, p.id, today));
    const programmeNames = new Map(programmes.map((p) => [p.id, p.name]));
    const work = can(actor.role, 'product.read') ? await services.delivery.productsOfPerson(actor, personId) : null;
    const { person } = record;
    const tests = await services.psychometrics.personChange(actor, personId);
    return reply.render('people/show.njk', {
      pageTitle: `${person.givenName} ${person.familyName}`,
      person,
      convictions: record.convictions.map((c) => ({
        ...c,
        categoryLabel: convictionCategoryLabels[c.category] ?? c.category,
        victims: [c.victimMale && 'male', c.victimStranger && 'stranger', c.victimChild && 'child'].filter(Boolean).join(', '),
      })),
      scores: record.scores.map((s) => ({
        ...s,
        name: instrumentName(s.instrument),
        categoryTag: { text: riskLabels[s.category] ?? s.category, classes: riskTagClasses[s.category] ?? 'govuk-tag--grey' },
        points: pointsRows(s.instrument, s.result as Record<string, unknown>),
        probability: probabilityText(s.instrument, s.result as Record<string, unknown>),
        explanation: (s.result as { explanation?: string[] }).explanation ?? [],
      })),
      eligibility: eligibility.map((e) => ({
        ...e,
        programmeName: programmeNames.get(e.programmeId) ?? e.programmeId,
        description: Object.fromEntries((programmes.find((p) => p.id === e.programmeId)?.eligibility.criteria ?? []).map((c) => [c.id, c.description])),
      })),
      referrals: record.referrals.map((r) => ({
        ...r,
        programmeName: programmeNames.get(r.programmeId) ?? r.programmeId,
        tag: statusTag(r.status),
        open: isOpen(r.status),
      })),
      products: work && work.map((p) => ({ ...p, size: megabytes(p.bytes) })),
      programmeItems: programmes.map((p) => ({ value: p.id, text: p.name })),
      progress: (await services.registers.getPersonProgress(actor, personId)).map((p) => ({ ...p, tag: progressTags[p.state] })),
      psychometrics: {
        instruments: tests.instruments,
        tests: tests.tests.map((t) => ({ ...t, occasionLabel: occasionLabels[t.occasion as Occasion] ?? t.occasion })),
        changes: changeView(tests.changes, programmes),
        illustrative: tests.changes.some((c) => c.illustrative) || tests.instruments.some((i) => i.illustrative),
      },
      canRecordTests: can(actor.role, 'psychometric.record'),
      canEdit: can(actor.role, 'person.edit'),
      canScore: can(actor.role, 'risk.score'),
      canOverride: can(actor.role, 'eligibility.override'),
      canRefer: can(actor.role, 'referral.create'),
      errors: {},
      ...extra,
    });
  };

  app.get('/people', { config: permits('person.read') }, async (request, reply) => {
    const query = request.query as Body;
    const result = await services.people.searchPeople(request.actor!, query);
    const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
    return reply.render('people/search.njk', {
      pageTitle: 'People',
      q: query.q ?? '',
      result,
      canAdd: can(request.actor!.role, 'person.edit'),
      pagination: {
        previous: result.page > 1 ? { href: withQuery('/people', query, { page: result.page - 1 }) } : undefined,
        next: result.page < pages ? { href: withQuery('/people', query, { page: result.page + 1 }) } : undefined,
        items: Array.from({ length: pages }, (_, i) => ({ number: i + 1, href: withQuery('/people', query, { page: i + 1 }), current: i + 1 === result.page })),
      },
    });
  });

  app.get('/people/new', { config: permits('person.edit') }, async (_request, reply) =>
    renderForm(reply, 'new', { sex: 'male' }, DateInputs.fromRecord({}, personDates)),
  );

  app.post('/people', { config: permits('person.edit') }, async (request, reply) => {
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, personDates);
    const body = dates.input;
    try {
      const person = await services.people.createPerson(request.actor!, body);
      return reply.redirect(`/people/${person.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderForm(reply.status(400), 'new', body, dates, dates.view(error));
    }
  });

  app.get('/people/:id', { config: permits('person.read') }, async (request, reply) => renderPerson(reply, idParam(request.params, 'id', 'Person')));

  app.get('/people/:id/edit', { config: permits('person.edit') }, async (request, reply) => {
    const { person } = await services.people.getPerson(request.actor!, idParam(request.params, 'id', 'Person'));
    return renderForm(reply, 'edit', asFormValues(person), DateInputs.fromRecord(person, personDates));
  });

  app.post('/people/:id', { config: permits('person.edit') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, personDates);
    const body = dates.input;
    // An unticked checkbox sends nothing: on this full form that means "no".
    const input = { sexualMurder: '', ...body };
    try {
      await services.people.updatePerson(request.actor!, id, input);
      return reply.redirect(`/people/${id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderForm(reply.status(400), 'edit', { ...body, id }, dates, dates.view(error));
    }
  });

  const renderConviction = (reply: FastifyReply, personId: number, values: Body, dates: DateInputs, extra: Body = {}) =>
    reply.render('people/conviction.njk', {
      pageTitle: 'Add a conviction',
      personId,
      values,
      dateItems: dates.items('convictionDate'),
      categoryItems: Object.entries(convictionCategoryLabels).map(([value, text]) => ({ value, text, checked: values.category === value })),
      flagItems: [
        { value: 'true', text: 'Attempted offence', name: 'attempt', checked: Boolean(values.attempt) },
        { value: 'true', text: 'A victim was male', name: 'victimMale', checked: Boolean(values.victimMale) },
        { value: 'true', text: 'A victim was a stranger', name: 'victimStranger', checked: Boolean(values.victimStranger) },
        { value: 'true', text: 'A victim was a child', name: 'victimChild', checked: Boolean(values.victimChild) },
      ],
      ...extra,
    });

  app.get('/people/:id/convictions/new', { config: permits('person.edit') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const { person } = await services.people.getPerson(request.actor!, id);
    return renderConviction(reply, person.id, {}, DateInputs.fromRecord({}, convictionDates));
  });

  app.post('/people/:id/convictions', { config: permits('person.edit') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, convictionDates);
    const body = dates.input;
    try {
      await services.people.addConviction(request.actor!, id, body);
      return reply.redirect(`/people/${id}#offences`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderConviction(reply.status(400), id, body, dates, dates.view(error));
    }
  });

  // Removing a conviction changes what his scores were computed from: ask first, and say so.
  app.get('/people/:id/convictions/:convictionId/remove', { config: permits('person.edit') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const convictionId = idParam(request.params, 'convictionId', 'Conviction');
    const record = await services.people.getPerson(request.actor!, id);
    const conviction = record.convictions.find((c) => c.id === convictionId);
    if (!conviction) throw new NotFound('Conviction');
    return reply.render('people/remove-conviction.njk', {
      pageTitle: 'Remove a conviction',
      person: record.person,
      conviction,
      categoryLabel: convictionCategoryLabels[conviction.category] ?? conviction.category,
      scoresAffected: record.scores.filter((s) => s.outOfDateSince === null).length,
    });
  });

  app.post('/people/:id/convictions/:convictionId/remove', { config: permits('person.edit') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    await services.people.removeConviction(request.actor!, idParam(request.params, 'convictionId', 'Conviction'), request.body ?? {}, id);
    return reply.redirect(`/people/${id}#offences`, 303);
  });

  const renderScoring = (reply: FastifyReply, personId: number, name: string, instrument: (typeof instruments)[string], values: Body, extra: Body = {}) => {
    const errors = (extra.errors ?? {}) as Record<string, unknown>;
    return reply.render('people/score.njk', {
      pageTitle: `${instrument.title} for ${name}`,
      title: instrument.title,
      personName: name,
      personId,
      action: `/people/${personId}/scores/${instrument.id}`,
      fields: instrument.fields.map((f) => ({
        ...f,
        label: sentenceCase(f.label),
        value: values[f.name] === undefined ? '' : String(values[f.name]),
        error: errors[f.name],
        items:
          f.kind === 'sex'
            ? [
                { value: 'male', text: 'Male' },
                { value: 'female', text: 'Female' },
              ].map((i) => ({ ...i, checked: String(values[f.name]) === i.value }))
            : [
                { value: 'true', text: 'Yes' },
                { value: 'false', text: 'No' },
              ].map((i) => ({ ...i, checked: String(values[f.name]) === i.value })),
      })),
      ...extra,
    });
  };

  const instrumentParam = (params: unknown) => {
    const instrument = instruments[(params as { instrument: string }).instrument];
    if (!instrument) throw new NotFound('Risk instrument');
    return instrument;
  };

  app.get('/people/:id/scores/:instrument/new', { config: permits('risk.score') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const instrument = instrumentParam(request.params);
    const { person, suggested } = await services.riskScores.scoringSuggestions(request.actor!, id, instrument.id, londonToday());
    return renderScoring(reply, id, `${person.givenName} ${person.familyName}`, instrument, suggested as Body);
  });

  app.post('/people/:id/scores/:instrument', { config: permits('risk.score') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const instrument = instrumentParam(request.params);
    const body = (request.body ?? {}) as Body;
    try {
      await services.riskScores.scorePerson(request.actor!, id, instrument.id, body, londonToday());
      return reply.redirect(`/people/${id}#scores`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const { person } = await services.riskScores.scoringSuggestions(request.actor!, id, instrument.id, londonToday());
      return renderScoring(reply.status(400), id, `${person.givenName} ${person.familyName}`, instrument, body, errorView(error));
    }
  });

  app.post('/people/:id/eligibility/:programmeId/override', { config: permits('eligibility.override') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const { programmeId } = request.params as { programmeId: string };
    const body = (request.body ?? {}) as Body;
    try {
      await services.eligibility.recordEligibilityOverride(request.actor!, id, programmeId, body, londonToday());
      return reply.redirect(`/people/${id}#eligibility`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      // Several forms share the page: point the summary at this programme's override fields.
      const view = errorView(error, { fieldId: (field) => `override-${programmeId}-${field}` });
      return renderPerson(reply.status(400), id, {
        errorList: view.errorList,
        overrideErrors: { [programmeId]: view.errors },
        overrideValues: { [programmeId]: body },
      });
    }
  });

  // Creating a referral lives here because its form and its errors belong to the person page.
  app.post('/people/:id/referrals', { config: permits('referral.create') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Person');
    const body = (request.body ?? {}) as Body;
    try {
      const referral = await services.referrals.createReferral(request.actor!, { ...body, personId: id });
      return reply.redirect(`/referrals/${referral.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const view = errorView(error, { fieldId: (field) => `refer-${field}` });
      return renderPerson(reply.status(400), id, { errorList: view.errorList, referErrors: view.errors, referValues: body });
    }
  });
}

function isOpen(status: string): boolean {
  try {
    return referralStatus(status as ReferralStatusId).open;
  } catch {
    return false;
  }
}

const predicts: Record<string, string> = { osp_dc: 'direct-contact sexual reoffending', osp_iic: 'indecent-image or indirect-contact sexual reoffending' };

/** A stored probability (kept as an unrounded fraction) as the page shows it: a percentage to 2 decimal places. */
function probabilityText(instrument: string, result: Record<string, unknown>): string | null {
  if (typeof result.probability !== 'number' || !predicts[instrument]) return null;
  return `Predicted probability of ${predicts[instrument]}: ${percentage(result.probability)}`;
}

/** The points behind a stored result, as rows for a table. */
function pointsRows(instrument: string, result: Record<string, unknown>): Array<{ item: string; points: number }> {
  if (instrument === 'rm2000s') {
    const p = result.points as Record<string, number>;
    return [
      { item: 'Age at commencement of risk', points: p.ageAtCommencementOfRisk },
      { item: 'Sexual appearances', points: p.sexualAppearances },
      { item: 'Criminal appearances', points: p.criminalAppearances },
      { item: 'Step 1 total', points: result.step1Points as number },
      { item: 'Aggravating factors (count)', points: result.aggravatingFactors as number },
      { item: 'Levels raised', points: result.levelsRaised as number },
    ];
  }
  if (instrument === 'osp_dc' && result.breakdown) {
    const b = result.breakdown as Record<string, number>;
    return [
      ...Object.entries(b).map(([k, v]) => ({ item: sentenceCase(ospLabels[k as keyof typeof ospLabels]?.replace(/^number of /, '') ?? k), points: v })),
      { item: 'Total (out of 64)', points: result.points as number },
    ];
  }
  return [];
}
