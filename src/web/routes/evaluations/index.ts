// Outcome evaluation pages: import a comparison pool or a complete cohort, import reconviction records,
// run an evaluation and read its report. Researchers see pseudonyms only; auditors may read reports.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { can } from '../../../domain/permissions.js';
import { permits } from '../../../http/access.js';
import { errorView } from '../../forms.js';
import { DateInputs } from '../../dates.js';
import { idParam } from '../../params.js';
import { claimUpload, removeUpload, uploadedFile, uploadedText } from '../../plugins/uploads.js';
import { NotFound, ValidationFailed } from '../../../services/errors.js';
import { covariatesOf, outcomesOf } from '../../../services/cohort-file-check.js';
import { cohortTextOfFile, type CohortImportProgress } from '../../../services/cohort-imports.js';
import { programmeCovariates } from '../../../services/evaluations.js';
import { monitorRoutes } from './monitor.js';
import { reportView } from './report.js';

const importers = permits('evaluation.import');
const runners = permits('evaluation.run');
const readers = permits('evaluation.read');
const reconvictionDates = { dataAsOf: 'Date the data runs to' };

function ignoreNotFound(error: unknown): undefined {
  if (error instanceof NotFound) return undefined;
  throw error;
}

/** What a person is told of an import at each stage. */
const importStages: Record<Exclude<CohortImportProgress['status'], 'failed'>, string> = {
  queued: 'Waiting to start',
  parsing: 'Reading and checking rows',
  storing: 'Storing the file',
  done: 'Imported',
};

export async function evaluationRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { services, config, programmes } = context;
  const imports = services.cohortImports.importRunner((error) => app.log.error({ err: error }, 'cohort import failed'));
  app.addHook('onClose', () => imports.close());

  app.get('/evaluations', { config: readers }, async (request, reply) => {
    const actor = request.actor!;
    const [runs, imports, reconvictionImports] = await Promise.all([
      services.evaluations.listEvaluationRuns(actor),
      services.cohortImports.listCohortImports(actor),
      services.reconvictions.listReconvictionImports(actor),
    ]);
    return reply.render('evaluations/list.njk', {
      pageTitle: 'Outcome evaluations',
      runs,
      imports,
      reconvictionImports,
      canImport: can(actor.role, 'evaluation.import'),
      monitors: can(actor.role, 'monitor.read') ? programmes.map((p) => ({ id: p.id, name: p.name })) : [],
      notice: (request.query as { notice?: string }).notice,
    });
  });

  const importForm = (reply: FastifyReply, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    reply.render('evaluations/import.njk', { pageTitle: 'Import a cohort file', values, ...extra });

  app.get('/evaluations/imports/new', { config: importers }, async (_request, reply) => importForm(reply, {}));

  // The upload answers at once with the import's own page; the file is checked and stored in the background.
  app.post('/evaluations/imports', { config: importers }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const file = uploadedFile(body, 'file');
    try {
      const queued = await services.cohortImports.queueCohortImport(request.actor!, { kind: body.kind, fileName: file.fileName, bytes: file.bytes });
      const path = claimUpload(request, file);
      imports.start(request.actor!, queued.id, cohortTextOfFile(path), () => removeUpload(path));
      return reply.redirect(`/evaluations/import-progress/${queued.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return importForm(reply.status(400), { kind: body.kind }, errorView(error));
    }
  });

  // While the import runs the page offers a way to look again rather than refreshing itself: a page that
  // reloads on a timer fails WCAG 2.2.1 (timing adjustable), and this page works without JavaScript.
  app.get('/evaluations/import-progress/:id', { config: permits('evaluation.import_progress.read') }, async (request, reply) => {
    const progress = await services.cohortImports.getCohortImportProgress(request.actor!, idParam(request.params, 'id', 'Cohort import'));
    if (progress.status === 'failed') {
      const failure = new ValidationFailed(progress.problems);
      return importForm(reply, { kind: progress.kind }, { ...errorView(failure), refusedFile: progress.fileName });
    }
    const notice = progress.alreadyImported
      ? `${progress.fileName} was already imported: nothing changed`
      : `Imported ${progress.rowsRead} men from ${progress.fileName}`;
    return reply.render('evaluations/progress.njk', {
      pageTitle: `Importing ${progress.fileName}`,
      progress,
      stage: importStages[progress.status],
      running: progress.status !== 'done',
      notice: progress.status === 'done' ? notice : undefined,
    });
  });

  const reconvictionForm = (reply: FastifyReply, dates: DateInputs, extra: Record<string, unknown> = {}) =>
    reply.render('evaluations/reconvictions.njk', {
      pageTitle: 'Import reconviction records',
      dateItems: dates.items('dataAsOf'),
      importsNamed: can(reply.request.actor!.role, 'reconviction.import_named'),
      ...extra,
    });

  app.get('/evaluations/reconvictions/new', { config: importers }, async (_request, reply) =>
    reconvictionForm(reply, DateInputs.fromRecord({}, reconvictionDates)),
  );

  app.post('/evaluations/reconvictions', { config: importers }, async (request, reply) => {
    const dates = DateInputs.fromForm((request.body ?? {}) as Record<string, unknown>, reconvictionDates);
    const body = dates.input;
    const file = uploadedFile(body, 'file');
    try {
      const result = await services.reconvictions.importReconvictions(
        request.actor!,
        { fileName: file.fileName, content: await uploadedText(file), dataAsOf: body.dataAsOf },
        config.pseudonymKey,
      );
      const notice = result.alreadyImported
        ? 'That file was already imported: nothing changed'
        : `Imported ${result.rows} reconviction records (${result.newRows} new)`;
      return reply.redirect(`/evaluations?notice=${encodeURIComponent(notice)}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return reconvictionForm(reply.status(400), dates, dates.view(error));
    }
  });

  const runForm = async (reply: FastifyReply, values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const actor = reply.request.actor!;
    const imports = await services.cohortImports.listCohortImports(actor);
    // An id typed into the address that is not a record id, or names no file, just shows the form without one.
    const asked = Number(values.cohortImportId);
    const chosenId = Number.isInteger(asked) && asked > 0 ? asked : imports[0]?.id;
    const chosen = chosenId ? await services.cohortImports.getCohortImport(actor, chosenId).catch(ignoreNotFound) : undefined;
    const covariates = chosen
      ? covariatesOf(chosen.columns).filter((c) => chosen.kind === 'cohort' || (programmeCovariates as readonly string[]).includes(c))
      : [];
    const picked = new Set([values.covariates ?? covariates].flat().map(String));
    return reply.render('evaluations/new.njk', {
      pageTitle: 'Run an evaluation',
      values,
      imports,
      chosen,
      programmes: programmes.map((p) => ({ value: p.id, text: p.name })),
      importItems: imports.map((i) => ({
        value: String(i.id),
        text: `${i.fileName} (${i.kind === 'comparison' ? 'comparison pool' : 'complete cohort'}, ${i.rows} men)`,
        selected: i.id === chosenId,
      })),
      covariateItems: covariates.map((c) => ({ value: c, text: c, checked: picked.has(c) })),
      outcomeItems: (chosen ? outcomesOf(chosen.columns) : []).map((o) => ({ value: o, text: o, selected: values.outcome === o })),
      ...extra,
    });
  };

  app.get('/evaluations/new', { config: runners }, async (request, reply) => runForm(reply, request.query as Record<string, unknown>));

  app.post('/evaluations', { config: runners }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const programmeId = typeof body.programmeId === 'string' && programmes.some((p) => p.id === body.programmeId) ? body.programmeId : programmes[0].id;
    try {
      const run = await services.evaluations.runEvaluation(request.actor!, programmeId, body, { pseudonymKey: config.pseudonymKey });
      return reply.redirect(`/evaluations/${run.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return runForm(reply.status(400), body, errorView(error));
    }
  });

  await monitorRoutes(app, context);

  app.get('/evaluations/:id', { config: readers }, async (request, reply) => {
    const run = await services.evaluations.getEvaluationRun(request.actor!, idParam(request.params, 'id', 'Evaluation'));
    return reply.render('evaluations/report.njk', { pageTitle: `Evaluation ${run.id}`, run, ...reportView(run) });
  });
}
