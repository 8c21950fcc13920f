// Who may do what is decided in one place, src/domain/permissions.ts. This test reads every source file with the
// TypeScript parser and fails, naming file:line, on a role id written where an access decision is made anywhere
// else: a list of roles, or a comparison of the acting user's role with a role id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { roles } from '../../../src/domain/roles.js';
import { projectPath } from '../../../src/paths.js';

/** Files that may write role ids, and why. */
const allowedFiles: Record<string, string> = {
  'src/domain/roles.ts': 'defines the roles',
  'src/domain/permissions.ts': 'the permissions table',
  'src/domain/referral/workflow.ts': 'the referral workflow names the roles of each transition, as data',
  'src/domain/qa/audit-workflow.ts': 'the audit workflow names the roles of each transition, as data',
  'src/services/demo-groups.ts': 'the demo seed lists demo users by user name, and one of them is called "facilitator"',
};

/** Single uses outside those files that are not access decisions, and why. */
const allowedUses: Array<{ file: string; role: string; why: string }> = [
  {
    file: 'src/web/plugins/errors.ts',
    role: 'treatment_manager',
    why: 'the 403 advice says "ask your treatment manager", so it is worded differently for one',
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const roleIds = new Set<string>(roles);
const comparisons = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** Role ids used in access decisions in one file's source: in an array literal, or compared with the acting user's role. */
function roleListsIn(fileName: string, source: string): Array<{ line: number; text: string }> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) && roleIds.has(node.text)) {
      const parent = node.parent;
      const inList = ts.isArrayLiteralExpression(parent);
      const comparedWithActor =
        ts.isBinaryExpression(parent) &&
        comparisons.has(parent.operatorToken.kind) &&
        /\bactor\b[!?]*\.role$/.test((parent.left === node ? parent.right : parent.left).getText(file));
      const inCall = ts.isCallExpression(parent) && /\b(includes|has|requireRole|forRoles)$/.test(parent.expression.getText(file));
      if (inList || comparedWithActor || inCall) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
        found.push({ line: line + 1, text: parent.getText(file).slice(0, 120) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test('no role list outside the permissions table: no source file lists roles or compares the acting role with a role id', () => {
  const root = projectPath('.');
  const violations: string[] = [];
  for (const path of sourceFiles(projectPath('src'))) {
    const file = relative(root, path).split('\\').join('/');
    if (file in allowedFiles) continue;
    for (const use of roleListsIn(file, readFileSync(path, 'utf8'))) {
      if (allowedUses.some((a) => a.file === file && use.text.includes(`'${a.role}'`))) continue;
      violations.push(`${file}:${use.line}: ${use.text}`);
    }
  }
  assert.deepEqual(
    violations,
    [],
    `access decided outside src/domain/permissions.ts — use can(role, action) or authorise(actor, action, siteId):\n${violations.join('\n')}`,
  );
});

test('the check finds a role list and a comparison of the acting role, and leaves a query for users of a role alone', () => {
  const planted = [
    "const readers = ['treatment_manager', 'auditor'];",
    "if (actor.role === 'auditor') allow();",
    "if (request.actor!.role !== 'researcher') refuse();",
    "select().where(eq(users.role, 'facilitator'));",
  ].join('\n');
  assert.deepEqual(
    roleListsIn('planted.ts', planted).map((u) => u.line),
    [1, 1, 2, 3],
  );
});
