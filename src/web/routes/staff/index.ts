// The facilitator pipeline's pages: a site's staff and their stages, a member's record (moves with their evidence,
// training, accreditation and its standing), a form per move the reader may make, adding someone who applied,
// linking a facilitator's sign-in (administrators), and downloading evidence files.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { can } from '../../../domain/permissions.js';
import { permits } from '../../../http/access.js';
import type { StageMove } from '../../../domain/staff/pipeline.js';
import { ValidationFailed } from '../../../services/errors.js';
import { storeFolder } from '../../../services/file-store.js';
import type { EvidenceUploads } from '../../../services/staff/pipeline.js';
import { DateInputs } from '../../dates.js';
import { idParam } from '../../params.js';
import { sendDownload } from '../../downloads.js';
import { errorView } from '../../forms.js';
import { uploadedFile } from '../../plugins/uploads.js';
import { megabytes } from '../../../domain/delivery/products.js';

type Body = Record<string, unknown>;

const dateLabels = (move: StageMove) => Object.fromEntries(move.evidence.filter((f) => f.kind === 'date').map((f) => [f.id, f.label]));

function uploadsOf(move: StageMove, body: Body): EvidenceUploads {
  return Object.fromEntries(move.evidence.filter((f) => f.kind === 'file').map((f) => [f.id, uploadedFile(body, f.id)]));
}

/** The evidence fields as the form partial shows them: dates with their boxes, choices with their items. */
function evidenceView(move: StageMove, values: Body, dates: DateInputs) {
  return move.evidence.map((f) => ({
    ...f,
    value: typeof values[f.id] === 'string' ? values[f.id] : '',
    dateItems: f.kind === 'date' ? dates.items(f.id) : undefined,
    items: f.kind === 'choice' ? (f.options ?? []).map((o) => ({ value: o.value, text: o.text, checked: values[f.id] === o.value })) : undefined,
  }));
}

export async function staffRoutes(app: FastifyInstance, { services, config }: RouteContext): Promise<void> {
  const store = { fileStoreDir: config.fileStoreDir, maxBytes: config.productMaxBytes };
  const upload = { upload: { incoming: storeFolder(config.fileStoreDir, 'staff-evidence').incoming, maxBytes: config.productMaxBytes } };
  const recordPath = (id: number) => `/staff/${id}`;

  app.get('/staff', { config: permits('staff.read') }, async (request, reply) => {
    const actor = request.actor!;
    const sites = await services.sites.listSites(actor);
    const asked = (request.query as Record<string, string | undefined>).site;
    const siteId = asked ? Number(asked) : (sites.find((s) => actor.siteIds.includes(s.id)) ?? sites[0])?.id;
    if (!Number.isInteger(siteId) || siteId! <= 0) throw ValidationFailed.one('site', 'Choose a site');
    const staff = await services.staff.listSiteStaff(actor, siteId!);
    return reply.render('staff/list.njk', {
      pageTitle: 'Facilitator pipeline',
      siteId,
      siteName: sites.find((s) => s.id === siteId)?.name ?? '',
      siteItems: sites.map((s) => ({ value: String(s.id), text: s.name, selected: s.id === siteId })),
      staff,
      canAdd: can(actor.role, 'staff.move'),
      canSeeOverview: can(actor.role, 'site.staff.read'),
    });
  });

  const renderNew = async (reply: FastifyReply, values: Body, dates: DateInputs, failure?: ValidationFailed) => {
    const actor = reply.request.actor!;
    const move = await services.staff.startingMove();
    const sites = (await services.sites.listSites(actor)).filter((s) => actor.siteIds.includes(s.id));
    return reply.render('staff/new.njk', {
      pageTitle: move.label,
      move,
      fields: evidenceView(move, values, dates),
      values,
      siteItems: [
        { value: '', text: 'Choose a site' },
        ...sites.map((s) => ({ value: String(s.id), text: s.name, selected: String(values.siteId ?? '') === String(s.id) })),
      ],
      maxSize: megabytes(store.maxBytes),
      ...(failure ? dates.view(failure) : {}),
    });
  };

  app.get('/staff/new', { config: permits('staff.move') }, async (request, reply) => {
    const move = await services.staff.startingMove();
    const site = (request.query as Record<string, string | undefined>).site;
    return renderNew(reply, site ? { siteId: site } : {}, DateInputs.fromRecord({}, dateLabels(move)));
  });

  app.post('/staff', { config: { ...permits('staff.move'), ...upload } }, async (request, reply) => {
    const move = await services.staff.startingMove();
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, dateLabels(move));
    try {
      const { id } = await services.staff.addStaffMember(request.actor!, dates.input, uploadsOf(move, (request.body ?? {}) as Body), store);
      return reply.redirectWithOutcome(recordPath(id), { added: true });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderNew(reply.status(400), dates.input, dates, error);
    }
  });

  const renderRecord = async (request: FastifyRequest, reply: FastifyReply, link: { values?: Body; failure?: ValidationFailed } = {}) => {
    const id = idParam(request.params, 'id', 'Member of staff');
    const record = await services.staff.getStaffRecord(request.actor!, id);
    const outcome = reply.takeOutcome<{ added?: boolean; moved?: string; linked?: boolean }>();
    return reply.render('staff/show.njk', {
      pageTitle: `${record.displayName}: facilitator pipeline`,
      record,
      outcome,
      endedByLabels: { supervision: 'supervision overdue', suspension: 'suspended', withdrawal: 'withdrawn' },
      signInItems: [
        { value: '', text: 'Choose a sign-in' },
        ...record.signInChoices.map((u) => ({
          value: String(u.userId),
          text: `${u.displayName} (${u.username})`,
          selected: String(link.values?.userId ?? '') === String(u.userId),
        })),
      ],
      ...(link.failure ? errorView(link.failure, { prefix: 'link-' }) : {}),
    });
  };

  app.get('/staff/:id', { config: permits('staff.read') }, async (request, reply) => renderRecord(request, reply));

  app.post('/staff/:id/sign-in', { config: permits('staff.sign_in.link') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Member of staff');
    const body = (request.body ?? {}) as Body;
    try {
      await services.staff.linkSignIn(request.actor!, id, body);
      return reply.redirectWithOutcome(recordPath(id), { linked: true });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderRecord(request, reply.status(400), { values: body, failure: error });
    }
  });

  const renderMove = async (request: FastifyRequest, reply: FastifyReply, values: Body, dates?: DateInputs, failure?: ValidationFailed) => {
    const id = idParam(request.params, 'id', 'Member of staff');
    const moveId = (request.params as { move: string }).move;
    const form = await services.staff.stageMoveForm(request.actor!, id, moveId);
    const shown = dates ?? DateInputs.fromRecord({}, dateLabels(form.move));
    return reply.render('staff/move.njk', {
      pageTitle: `${form.move.label}: ${form.displayName}`,
      form,
      version: values.version ?? form.version,
      values,
      fields: evidenceView(form.move, values, shown),
      programmeItems: form.programmes.map((p) => ({ value: p.id, text: p.name, checked: values.programmeId === p.id })),
      maxSize: megabytes(store.maxBytes),
      ...(failure ? shown.view(failure) : {}),
    });
  };

  app.get('/staff/:id/moves/:move', { config: permits('staff.move') }, async (request, reply) => renderMove(request, reply, {}));

  app.post('/staff/:id/moves/:move', { config: { ...permits('staff.move'), ...upload } }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Member of staff');
    const moveId = (request.params as { move: string }).move;
    const body = (request.body ?? {}) as Body;
    // Read against the file's move, not the moves open now: if someone else moved them on meanwhile, the
    // service answers with the conflict or the rule rather than this page with a 404.
    const move = services.staff.pipelineMove(moveId);
    const dates = DateInputs.fromForm(body, dateLabels(move));
    try {
      await services.staff.makeStageMove(request.actor!, id, moveId, dates.input, uploadsOf(move, body), store);
      return reply.redirectWithOutcome(recordPath(id), { moved: move.label });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderMove(request, reply.status(400), dates.input, dates, error);
    }
  });

  app.get('/staff/:id/evidence/:fileId', { config: permits('staff.read') }, async (request, reply) => {
    const download = await services.staff.openEvidenceFile(
      request.actor!,
      idParam(request.params, 'id', 'Member of staff'),
      idParam(request.params, 'fileId', 'Evidence file'),
      store,
    );
    return sendDownload(reply, download);
  });
}
