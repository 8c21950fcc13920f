// The permissions table as a role × action Markdown matrix, kept in README.md between markers.
// `npm run docs:permissions` rewrites the README's copy; test/unit/architecture/permissions-readme.test.ts fails
// when the copy differs from the table.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { actions, can, onlyOwn, permission } from '../src/domain/permissions.js';
import { nationalRoles, roleLabels, roles } from '../src/domain/roles.js';
import { projectPath } from '../src/paths.js';

export const startMarker = '<!-- permissions:start -->';
export const endMarker = '<!-- permissions:end -->';

export function permissionsMatrix(): string {
  const cell = (role: (typeof roles)[number], action: (typeof actions)[number]): string => {
    if (!can(role, action)) return '—';
    if (onlyOwn(role, action)) return 'own';
    if (!permission(action).siteScoped) return 'yes';
    return nationalRoles.has(role) ? 'all sites' : 'own sites';
  };
  return [
    `| action | ${roles.map((r) => roleLabels[r]).join(' | ')} |`,
    `|---|${roles.map(() => '---').join('|')}|`,
    ...actions.map((action) => `| \`${action}\`: ${permission(action).description} | ${roles.map((r) => cell(r, action)).join(' | ')} |`),
  ].join('\n');
}

/** The README's text between the markers, or undefined when the markers are missing. */
export function readmeMatrix(readme: string): string | undefined {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + startMarker.length, end).trim();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = projectPath('README.md');
  const readme = readFileSync(path, 'utf8');
  if (readmeMatrix(readme) === undefined) {
    console.error(`README.md has no ${startMarker} … ${endMarker} block`);
    process.exit(1);
  }
  const start = readme.indexOf(startMarker) + startMarker.length;
  writeFileSync(path, `${readme.slice(0, start)}\n${permissionsMatrix()}\n${readme.slice(readme.indexOf(endMarker))}`);
  console.log('README.md: permissions matrix rewritten');
}
