// Administrators' programme definition pages: every programme's versions, the differences between two
// versions, a version's file, and uploading a new version (validated like the files read at start-up).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteContext } from '../../../../http/context.js';
import { permits } from '../../../../http/access.js';
import { errorView } from '../../../forms.js';
import { uploadedFile, uploadedText } from '../../../plugins/uploads.js';
import type { ProgrammeDefinition } from '../../../../domain/programme/definition.js';
import { NotFound, ValidationFailed } from '../../../../services/errors.js';
import { comparisonView, versionItems } from './present.js';

const administrators = permits('programme.manage');

interface UploadOutcome {
  uploaded: number;
}

/** The accepted version replaces its predecessor among the app's current definitions, which every route shares. */
function makeCurrent(programmes: ProgrammeDefinition[], accepted: ProgrammeDefinition): void {
  const at = programmes.findIndex((p) => p.id === accepted.id);
  if (at === -1) programmes.push(accepted);
  else if (programmes[at].version < accepted.version) programmes[at] = accepted;
}

function versionParam(params: unknown): number {
  const version = Number((params as { version: string }).version);
  if (!Number.isInteger(version) || version < 1) throw new NotFound('Programme version');
  return version;
}

export async function programmeAdminRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  app.get('/admin/programmes', { config: administrators }, async (request, reply) =>
    reply.render('admin/programmes/list.njk', {
      pageTitle: 'Programme definitions',
      programmes: await services.programmes.listProgrammeVersions(request.actor!),
    }),
  );

  const uploadForm = (reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.render('admin/programmes/upload.njk', { pageTitle: 'Upload a programme version', ...extra });

  app.get('/admin/programmes/new', { config: administrators }, async (_request, reply) => uploadForm(reply));

  app.post('/admin/programmes', { config: administrators }, async (request, reply) => {
    const file = uploadedFile((request.body ?? {}) as Record<string, unknown>, 'file');
    try {
      const accepted = await services.programmes.uploadProgrammeVersion(request.actor!, { fileName: file.fileName, content: await uploadedText(file) });
      makeCurrent(programmes, accepted);
      return reply.redirectWithOutcome(`/admin/programmes/${accepted.id}`, { uploaded: accepted.version } satisfies UploadOutcome);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return uploadForm(reply.status(400), errorView(error));
    }
  });

  const programmePage = async (reply: FastifyReply, programmeId: string, query: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const programme = await services.programmes.getProgrammeVersions(reply.request.actor!, programmeId);
    const newest = programme.versions[0]?.version;
    const older = programme.versions[1]?.version;
    return reply.render('admin/programmes/programme.njk', {
      pageTitle: programme.name,
      programme,
      wasItems: versionItems(programme, query.was ?? older),
      nowItems: versionItems(programme, query.now ?? newest),
      uploaded: reply.takeOutcome<UploadOutcome>()?.uploaded,
      ...extra,
    });
  };

  app.get('/admin/programmes/:programmeId', { config: administrators }, async (request, reply) =>
    programmePage(reply, (request.params as { programmeId: string }).programmeId, {}),
  );

  app.get('/admin/programmes/:programmeId/compare', { config: administrators }, async (request, reply) => {
    const { programmeId } = request.params as { programmeId: string };
    const query = request.query as Record<string, unknown>;
    try {
      const comparison = await services.programmes.compareProgrammeVersions(request.actor!, programmeId, { was: query.was, now: query.now });
      return reply.render('admin/programmes/compare.njk', {
        pageTitle: `${comparison.name}: version ${comparison.was} and version ${comparison.now} compared`,
        ...comparisonView(comparison),
      });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return programmePage(reply.status(400), programmeId, query, errorView(error));
    }
  });

  app.get('/admin/programmes/:programmeId/versions/:version/download', { config: administrators }, async (request, reply) => {
    const { programmeId } = request.params as { programmeId: string };
    const definition = await services.programmes.getProgrammeVersion(request.actor!, programmeId, versionParam(request.params));
    return reply
      .header('content-disposition', `attachment; filename="${definition.id}.v${definition.version}.json"`)
      .type('application/json; charset=utf-8')
      .send(`${JSON.stringify(definition, null, 2)}\n`);
  });
}
