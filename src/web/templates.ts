// The Nunjucks set-up shared by the web pages (through @fastify/view) and files rendered outside a request,
// such as the command line's evaluation report: one list of template folders and one set of filters.
import nunjucks from 'nunjucks';
import { projectPath } from '../paths.js';
import { formatDate, formatDateTime, formatFixed } from './format.js';

export const templateRoots = [projectPath('node_modules', 'govuk-frontend', 'dist'), projectPath('src', 'web', 'views'), projectPath('src', 'web', 'routes')];

export function addFilters(env: nunjucks.Environment): void {
  env.addFilter('date', formatDate);
  env.addFilter('dateTime', formatDateTime);
  env.addFilter('fixed', formatFixed);
}

let standalone: nunjucks.Environment | undefined;

/** Renders a template outside any request (no page locals), escaping as the pages do. */
export function renderTemplate(template: string, data: Record<string, unknown>): string {
  if (!standalone) {
    standalone = new nunjucks.Environment(new nunjucks.FileSystemLoader(templateRoots), { autoescape: true });
    addFilters(standalone);
  }
  return standalone.render(template, data);
}
