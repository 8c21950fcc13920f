// Turns errors into answers: GOV.UK-style pages for people, { error: { code, message, field } } for the API.
// The caller's mistakes are 4xx; anything else is a 500 and is logged (without request bodies). Every page
// says what to do next and links back to where the person was, so no error is a dead end.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { can, permission } from '../../domain/permissions.js';
import { roleLabels, type Role } from '../../domain/roles.js';
import type { Actor } from '../../services/access.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from '../../services/errors.js';
import { routeAllows, type RouteAccess } from '../../http/access.js';
import { isApiRequest } from './session.js';

interface Answer {
  status: number;
  code: string;
  message: string;
  field?: string;
  link?: { href: string; text: string };
  heading: string;
  /** What the person can do about it, when it depends on who they are. */
  advice?: string;
}

const problemPages: Record<number, { heading: string; paragraph: string }> = {
  400: { heading: 'There is a problem with your request', paragraph: 'Go back, check what you entered and try again. Nothing was changed.' },
  401: { heading: 'You need to sign in', paragraph: 'Sign in to use this service.' },
  403: { heading: 'You do not have permission to do this', paragraph: 'If your work needs it, ask your treatment manager or an administrator.' },
  404: {
    heading: 'Page not found',
    paragraph:
      'If you typed the web address, check it is correct. If you pasted it, check you copied the entire address. If you followed a link, the record may have been removed.',
  },
  409: { heading: 'Someone else changed this record', paragraph: 'Reload the page to see their change, then make yours again. Nothing you sent was saved.' },
  413: { heading: 'The file or form is too large', paragraph: 'Go back and try again with less data.' },
  429: { heading: 'Too many attempts', paragraph: 'Wait a few minutes and try again.' },
  500: { heading: 'Sorry, there is a problem with the service', paragraph: 'Try again later. Nothing you entered has been saved.' },
};

const pluralRoleLabels: Record<Role, string> = {
  administrator: 'administrators',
  treatment_manager: 'treatment managers',
  assessor: 'assessors',
  facilitator: 'facilitators',
  auditor: 'auditors',
  researcher: 'researchers',
};

function listed(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * What a person refused access can do: never "ask a manager" to a manager. A record at another site needs the
 * site on their account; a page for other roles needs a role change, which only an administrator makes.
 */
export function permissionAdvice(actor: Actor | null, scope: 'role' | 'site', access: RouteAccess | undefined): string {
  if (scope === 'site') return 'This record belongs to a site you are not assigned to. Ask an administrator to add the site to your account.';
  const allowed = typeof access === 'string' || access === undefined ? undefined : permission(access.action).roles;
  const forWhom = allowed && actor && !allowed.includes(actor.role) ? `This page is for ${listed(allowed.map((r) => pluralRoleLabels[r]))}. ` : '';
  if (actor && can(actor.role, 'user.manage')) return `${forWhom}If your work needs it, another administrator can give you an account with that role.`;
  if (actor?.role === 'treatment_manager')
    return `${forWhom}If your work needs it, ask an administrator to change your account (${roleLabels[actor.role].toLowerCase()}).`;
  return `${forWhom}${problemPages[403].paragraph}`;
}

function classify(error: FastifyError, request: FastifyRequest): Answer {
  if (error instanceof ValidationFailed) {
    const first = error.errors[0];
    return {
      status: 400,
      code: 'validation_failed',
      message: first.message,
      field: first.field,
      ...(first.link ? { link: first.link } : {}),
      heading: problemPages[400].heading,
    };
  }
  if (error instanceof NotFound) return { status: 404, code: 'not_found', message: error.message, heading: problemPages[404].heading };
  if (error instanceof AccessDenied) {
    const advice = permissionAdvice(request.actor, error.scope, request.routeOptions.config?.access);
    return { status: 403, code: 'forbidden', message: error.message, heading: problemPages[403].heading, advice };
  }
  if (error instanceof EditConflict) return { status: 409, code: 'edit_conflict', message: error.message, heading: problemPages[409].heading };
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return {
      status: 403,
      code: 'csrf',
      message: 'The form had expired or was not sent from this service.',
      heading: 'Your form could not be sent',
      advice: 'Go back, reload the page and send the form again.',
    };
  }
  // A path that fails its schema (an id of 0, -1 or 1.5) names no record: not found, as for any other unknown path.
  if (error.validation && error.validationContext === 'params')
    return { status: 404, code: 'not_found', message: 'No such page or resource', heading: problemPages[404].heading };
  if (error.validation) {
    const issue = error.validation[0];
    const field = (issue?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || (issue?.params as { missingProperty?: string })?.missingProperty;
    return { status: 400, code: 'validation_failed', message: issue?.message ?? error.message, field: field || undefined, heading: problemPages[400].heading };
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  const page = problemPages[status] ?? problemPages[400];
  return {
    status,
    code: status === 500 ? 'internal_error' : `http_${status}`,
    message: status === 500 ? page.paragraph : error.message,
    heading: page.heading,
  };
}

/** A path on this service that is safe to link to: local, not protocol-relative, not sign-in or sign-out. */
export function safeLocalPath(value: unknown): value is string {
  return typeof value === 'string' && /^\/(?!\/)[^\\\s]*$/.test(value) && !value.startsWith('/sign-') && !value.startsWith('/api/');
}

export interface BackLink {
  href: string;
  text: string;
}

type PageFinder = (path: string, actor: Actor | null) => boolean;

/**
 * Where the person was: the page that sent them here (the Referer, only when it is this service's own page),
 * else the nearest page above the address that they may open (a catch-up's outcome → its group), else the
 * start page.
 */
export function backLinkFor(request: FastifyRequest, isPage: PageFinder): BackLink {
  const referer = request.headers.referer;
  if (referer) {
    try {
      const from = new URL(referer);
      const path = `${from.pathname}${from.search}`;
      const ours = new URL(`${request.protocol}://${request.host}`);
      if (from.origin === ours.origin && safeLocalPath(path) && !(request.method === 'GET' && path === request.url)) {
        return { href: path, text: 'Go back to the page you were on' };
      }
    } catch {
      // An unparseable Referer is ignored like a missing one.
    }
  }
  const segments = request.url.split(/[?#]/)[0].split('/').filter(Boolean);
  for (let n = segments.length - (request.method === 'GET' ? 1 : 0); n > 0; n--) {
    const path = `/${segments.slice(0, n).join('/')}`;
    if (isPage(path, request.actor)) return { href: path, text: 'Go to the page this belongs to' };
  }
  return { href: '/', text: 'Go to the start page' };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, answer: Answer, isPage: PageFinder = () => false) {
  reply.status(answer.status);
  if (isApiRequest(request)) {
    return reply.send({
      error: { code: answer.code, message: answer.message, ...(answer.field ? { field: answer.field } : {}), ...(answer.link ? { link: answer.link } : {}) },
    });
  }
  const page = problemPages[answer.status] ?? problemPages[400];
  const advice = answer.advice ?? page.paragraph;
  const paragraphs = answer.status === 500 || answer.status === 404 ? [advice] : [answer.message, advice];
  const back = backLinkFor(request, isPage);
  // After a conflict the way on is to reload the page the change was made from and make it again.
  if (answer.status === 409 && back.text !== 'Go to the start page') back.text = 'Reload the page and make your change again';
  return reply.render('error.njk', { pageTitle: answer.heading, heading: answer.heading, paragraphs, back });
}

export async function errorPages(app: FastifyInstance): Promise<void> {
  // Every GET page's address pattern and access, to find which page an address belongs to and whether this
  // person may open it.
  const pages: Array<{ pattern: RegExp; access: RouteAccess | undefined }> = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (![route.method].flat().includes('GET') || route.url.includes('*')) return;
    const parts = route.url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^$()|[\]\\]/g, '\\$&')));
    const pattern = new RegExp(`^${parts.join('/')}$`);
    pages.push({ pattern, access: route.config?.access });
  });
  const isPage: PageFinder = (path, actor) =>
    pages.some(({ pattern, access }) => {
      if (!pattern.test(path)) return false;
      if (access === 'public') return true;
      if (!actor) return false;
      return access !== undefined && routeAllows(access, actor.role);
    });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, { status: 404, code: 'not_found', message: 'No such page or resource', heading: problemPages[404].heading }, isPage),
  );
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = classify(error, request);
    if (answer.status === 500) request.log.error({ err: error, url: request.routeOptions.url }, 'unhandled error');
    return sendProblem(request, reply, answer, isPage);
  });
}
