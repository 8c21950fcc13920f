// Turns errors into answers: GOV.UK-style pages for people, { error: { code, message, field } } for the API.
// The caller's mistakes are 4xx; anything else is a 500 and is logged (without request bodies).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from '../../services/errors.js';
import { isApiRequest } from './session.js';

interface Answer {
  status: number;
  code: string;
  message: string;
  field?: string;
  link?: { href: string; text: string };
  heading: string;
}

const pages: Record<number, { heading: string; paragraph: string }> = {
  400: { heading: 'There is a problem with your request', paragraph: 'Check what you entered and try again.' },
  401: { heading: 'You need to sign in', paragraph: 'Sign in to use this service.' },
  403: { heading: 'You do not have permission to view this page', paragraph: 'If you think you should, ask your treatment manager or an administrator.' },
  404: { heading: 'Page not found', paragraph: 'If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.' },
  409: { heading: 'Someone else changed this record', paragraph: 'Reload the page to see their change, then make yours again.' },
  413: { heading: 'The file or form is too large', paragraph: 'Try again with less data.' },
  429: { heading: 'Too many attempts', paragraph: 'Wait a few minutes and try again.' },
  500: { heading: 'Sorry, there is a problem with the service', paragraph: 'Try again later. Nothing you entered has been saved.' },
};

function classify(error: FastifyError): Answer {
  if (error instanceof ValidationFailed) {
    const first = error.errors[0];
    return { status: 400, code: 'validation_failed', message: first.message, field: first.field, ...(first.link ? { link: first.link } : {}), heading: pages[400].heading };
  }
  if (error instanceof NotFound) return { status: 404, code: 'not_found', message: error.message, heading: pages[404].heading };
  if (error instanceof AccessDenied) return { status: 403, code: 'forbidden', message: error.message, heading: pages[403].heading };
  if (error instanceof EditConflict) return { status: 409, code: 'edit_conflict', message: error.message, heading: pages[409].heading };
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, code: 'csrf', message: 'The form had expired or was not sent from this service. Go back, reload the page and try again.', heading: 'Your form could not be sent' };
  }
  if (error.validation) {
    const issue = error.validation[0];
    const field = (issue?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || (issue?.params as { missingProperty?: string })?.missingProperty;
    return { status: 400, code: 'validation_failed', message: issue?.message ?? error.message, field: field || undefined, heading: pages[400].heading };
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  const page = pages[status] ?? pages[400];
  return { status, code: status === 500 ? 'internal_error' : `http_${status}`, message: status === 500 ? page.paragraph : error.message, heading: page.heading };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, answer: Answer) {
  reply.status(answer.status);
  if (isApiRequest(request)) {
    return reply.send({ error: { code: answer.code, message: answer.message, ...(answer.field ? { field: answer.field } : {}), ...(answer.link ? { link: answer.link } : {}) } });
  }
  const page = pages[answer.status] ?? pages[400];
  const paragraphs = answer.status === 500 || answer.status === 404 ? [page.paragraph] : [answer.message, page.paragraph];
  return reply.render('error.njk', { pageTitle: answer.heading, heading: answer.heading, paragraphs });
}

export async function errorPages(app: FastifyInstance): Promise<void> {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, { status: 404, code: 'not_found', message: 'No such page or resource', heading: pages[404].heading }),
  );
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = classify(error);
    if (answer.status === 500) request.log.error({ err: error, url: request.routeOptions.url }, 'unhandled error');
    return sendProblem(request, reply, answer);
  });
}
