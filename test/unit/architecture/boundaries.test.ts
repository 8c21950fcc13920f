// The layering DESIGN.md describes, enforced: each rule below reads every import in src/ and fails naming the
// file, line and import that breaks it. The rules are the architecture; change them here, deliberately.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importsOf, layerOf, routeFeatureOf, sourceFiles, type SourceImport } from './imports.js';

const files = sourceFiles();
const allImports: SourceImport[] = files.flatMap(importsOf);

function violations(predicate: (i: SourceImport) => boolean): string[] {
  return allImports.filter(predicate).map((i) => `${i.file}:${i.line} imports '${i.specifier}'`);
}

// Packages the domain may use: pure computation only (no I/O, no database, no HTTP, no templates).
const domainPackages = new Set(['zod', 'csv-parse/sync', 'csv-parse', 'csv-stringify/sync', 'd3-scale', 'd3-shape', 'node:crypto']);

test('the domain is pure: it imports only the domain and pure computation packages', () => {
  assert.deepEqual(
    violations((i) => i.fromLayer === 'domain' && (i.target ? layerOf(i.target) !== 'domain' : !domainPackages.has(i.specifier))),
    [],
  );
});

// The composition roots build the whole: they alone may hand the database to the services.
const compositionRoots = new Set(['src/runtime.ts', 'src/web/app.ts']);

test('the web pages, the API and the command line never touch the database: they go through services', () => {
  const database = new Set(['drizzle-orm', 'pg', '@electric-sql/pglite']);
  assert.deepEqual(
    violations(
      (i) =>
        ['web', 'api', 'cli', 'http'].includes(i.fromLayer) &&
        !compositionRoots.has(i.file) &&
        ((i.target !== null && layerOf(i.target) === 'db') || database.has(i.specifier.split('/')[0]!)),
    ),
    [],
  );
});

test('services know no pages: they import neither the web, the API, the command line nor HTTP or template libraries', () => {
  const edgePackages = /^(fastify|@fastify\/|nunjucks|commander|cli-progress)/;
  assert.deepEqual(
    violations(
      (i) =>
        (i.fromLayer === 'services' || i.fromLayer === 'db') &&
        ((i.target !== null && ['web', 'api', 'cli', 'http'].includes(layerOf(i.target))) || edgePackages.test(i.specifier)),
    ),
    [],
  );
});

test('a feature folder of the web app imports no other feature folder', () => {
  assert.deepEqual(
    violations((i) => {
      const from = routeFeatureOf(i.file);
      const to = i.target ? routeFeatureOf(i.target) : null;
      return from !== null && to !== null && from !== to;
    }),
    [],
  );
});

test('the API does not borrow from the web pages, nor the web pages from the API, except where the app is assembled', () => {
  assert.deepEqual(
    violations((i) => {
      if (!i.target || compositionRoots.has(i.file)) return false;
      const to = layerOf(i.target);
      return (i.fromLayer === 'api' && to === 'web') || (i.fromLayer === 'web' && to === 'api');
    }),
    [],
  );
});

test('the import reader sees every kind of import, so the rules above can fail', () => {
  // A planted file's imports, in every form the rules must catch.
  const planted = importsOf({
    file: 'src/web/routes/people/planted.ts',
    text: [
      "import { eq } from 'drizzle-orm';",
      "import type { Db } from '../../../db/connection.js';",
      'import {',
      '  presentAffected,',
      "} from '../groups/present.js';",
      "export { x } from '../../../api/index.js';",
      "const lazy = await import('../../../db/migrate.js');",
    ].join('\n'),
  });
  assert.deepEqual(
    planted.map((i) => [i.line, i.target ?? i.specifier]),
    [
      [1, 'drizzle-orm'],
      [2, 'src/db/connection.ts'],
      [3, 'src/web/routes/groups/present.ts'],
      [6, 'src/api/index.ts'],
      [7, 'src/db/migrate.ts'],
    ],
  );
  assert.equal(routeFeatureOf('src/web/routes/admin/users/index.ts'), 'admin/users');
  assert.equal(layerOf('src/runtime.ts'), 'root');
});
