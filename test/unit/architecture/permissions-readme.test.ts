// The README shows who may do what; the copy there must be the permissions table as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { endMarker, permissionsMatrix, readmeMatrix, startMarker } from '../../../scripts/permissions-matrix.js';
import { projectPath } from '../../../src/paths.js';

test('the README’s role × action matrix is the permissions table as it is (npm run docs:permissions rewrites it)', () => {
  const inReadme = readmeMatrix(readFileSync(projectPath('README.md'), 'utf8'));
  assert.ok(inReadme !== undefined, `README.md needs a ${startMarker} … ${endMarker} block`);
  const expected = permissionsMatrix();
  assert.equal(inReadme, expected, `README.md's permissions matrix is out of date: run npm run docs:permissions, or paste:\n${expected}`);
});

test('a cell says whether the role may take the action at its own sites, every site, or on its own records only', () => {
  const rows = permissionsMatrix().split('\n');
  const row = (action: string) =>
    rows
      .find((r) => r.startsWith(`| \`${action}\``))!
      .split(' | ')
      .slice(1)
      .map((c) => c.replace(/ \|$/, ''));
  // Columns follow roles.ts: administrator, treatment manager, assessor, facilitator, auditor, researcher.
  assert.deepEqual(row('user.manage'), ['yes', '—', '—', '—', '—', '—']);
  assert.deepEqual(row('group.read'), ['all sites', 'own sites', '—', 'own', 'all sites', '—']);
});
