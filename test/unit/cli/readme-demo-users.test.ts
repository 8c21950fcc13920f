import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { demoUsers } from '../../../src/services/demo.js';
import { demoExtraFacilitators } from '../../../src/services/demo-groups.js';
import { demoPipelineSignIns } from '../../../src/services/demo-staff.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test('the README lists every demo sign-in that npm start prints, with its role', () => {
  const listed = new Map([...readme.matchAll(/^\| `([a-z0-9]+)` \| ([a-z ]+?)(?: \(.*\))? \|/gm)].map((m) => [m[1], m[2]]));
  // What `sotp serve --seed-demo-if-empty` prints: the demo users, the extra facilitators of the demo groups and the pipeline's.
  const printed = new Map<string, string>([
    ...demoUsers.map((u) => [u.username, u.role.replace('_', ' ')] as [string, string]),
    ...demoExtraFacilitators.map((f) => [f.username, 'facilitator'] as [string, string]),
    ...demoPipelineSignIns.map((f) => [f.username, 'facilitator'] as [string, string]),
  ]);
  assert.deepEqual(new Map([...listed].sort()), new Map([...printed].sort()));
});
