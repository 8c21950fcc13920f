// Imports cohort files for outcome evaluation: a comparison pool of untreated men, or a complete linked
// cohort. Files hold pseudonyms only; a file with any bad row is refused whole, naming every bad line,
// and importing the same file twice changes nothing.
import { createHash } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { cohortImports } from '../db/schema.js';
import { CohortError, parseCohort, type CohortProblem } from '../domain/evaluation/cohort.js';
import { looksLikePrisonNumber } from '../domain/people/prison-number.js';
import { syntaxProblem } from '../domain/evaluation/csv-problems.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { NotFound, ValidationFailed, type FieldError } from './errors.js';
import { validate } from './validate.js';

const fixedColumns = new Set(['person_ref', 'treated', 'release_date', 'end_of_followup', 'risk_band']);
const outcomeSuffix = '_reoffence_date';
export const maxImportBytes = 64 * 1024 * 1024;

export type CohortImport = Omit<typeof cohortImports.$inferSelect, 'content'>;

export const cohortImportInput = z.object({
  kind: z.enum(['comparison', 'cohort'], { error: 'Choose what the file holds' }),
  fileName: z.string({ error: 'Choose a CSV file' }).trim().min(1, 'Choose a CSV file').max(200, 'File name must be 200 characters or fewer'),
  content: z.string({ error: 'Choose a CSV file' }).min(1, 'The file is empty').max(maxImportBytes, 'The file must be smaller than 64 MB'),
});

/** The outcomes a cohort file records: one `<outcome>_reoffence_date` column each. */
export function outcomesOf(columns: readonly string[]): string[] {
  return columns.filter((c) => c.endsWith(outcomeSuffix)).map((c) => c.slice(0, -outcomeSuffix.length));
}

/** The numeric covariate columns of a cohort file: everything that is not a fixed or outcome column. */
export function covariatesOf(columns: readonly string[]): string[] {
  return columns.filter((c) => !fixedColumns.has(c) && !c.endsWith(outcomeSuffix));
}

/** At most 20 problems as field errors on `file`, so a page stays readable; the count says how many more. */
export function problemsAsFieldErrors(problems: readonly CohortProblem[]): FieldError[] {
  const shown = problems.slice(0, 20).map((p) => ({ field: 'file', message: `Line ${p.line}, ${p.field}: ${p.reason}` }));
  const hidden = problems.length - shown.length;
  return hidden > 0 ? [...shown, { field: 'file', message: `… and ${hidden} more problems` }] : shown;
}

function headerOf(content: string): string[] {
  try {
    const [header] = parse(content, { to_line: 1, bom: true, trim: true }) as string[][];
    return header ?? [];
  } catch (error) {
    const problem = syntaxProblem(error, content);
    if (problem) throw new ValidationFailed(problemsAsFieldErrors([problem]));
    throw error;
  }
}

/** Every check of a cohort file, all rows, all outcomes: throws ValidationFailed listing the bad lines. */
function checkCohortFile(kind: 'comparison' | 'cohort', content: string): { columns: string[]; rows: number } {
  const columns = headerOf(content);
  const outcomes = outcomesOf(columns);
  if (outcomes.length === 0) throw ValidationFailed.one('file', 'The file has no outcome column: name each one <outcome>_reoffence_date, e.g. sexual_reoffence_date');
  let rows = 0;
  try {
    for (const outcome of outcomes) {
      const cohort = parseCohort(content, { covariates: covariatesOf(columns), outcome });
      rows = cohort.rows;
      const problems = [];
      for (let i = 0; i < cohort.rows; i++) {
        if (looksLikePrisonNumber(cohort.personRef[i])) {
          problems.push({ line: i + 2, field: 'person_ref', reason: 'looks like a prison number: cohort files must hold pseudonyms only' });
        } else if (kind === 'comparison' && cohort.treated[i] !== 0) {
          problems.push({ line: i + 2, field: 'treated', reason: 'a comparison pool holds untreated men only (treated = 0)' });
        }
      }
      if (problems.length) throw new CohortError(problems);
    }
  } catch (error) {
    if (error instanceof CohortError) throw new ValidationFailed(problemsAsFieldErrors(error.problems));
    throw error;
  }
  return { columns, rows };
}

export async function importCohortFile(db: Db, actor: Actor, input: unknown): Promise<{ cohortImport: CohortImport; alreadyImported: boolean }> {
  authorise(actor, 'evaluation.import');
  const { kind, fileName, content } = validate(cohortImportInput, input);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const [existing] = await db.select().from(cohortImports).where(and(eq(cohortImports.kind, kind), eq(cohortImports.sha256, sha256)));
  if (existing) return { cohortImport: withoutContent(existing), alreadyImported: true };
  const { columns, rows } = checkCohortFile(kind, content);
  const stored = await db.transaction(async (tx) => {
    const [row] = await tx.insert(cohortImports).values({ kind, fileName, sha256, rows, columns, content, importedBy: actor.userId! }).returning();
    await appendAudit(tx, actor, { action: 'cohort_import.created', subjectType: 'cohort_import', subjectId: row.id, details: { kind, rows, sha256 } });
    return row;
  });
  return { cohortImport: withoutContent(stored), alreadyImported: false };
}

function withoutContent(row: typeof cohortImports.$inferSelect): CohortImport {
  const { content: _content, ...rest } = row;
  return rest;
}

export async function listCohortImports(db: Db, actor: Actor): Promise<CohortImport[]> {
  authorise(actor, 'evaluation.read');
  const rows = await db
    .select({
      id: cohortImports.id,
      kind: cohortImports.kind,
      fileName: cohortImports.fileName,
      sha256: cohortImports.sha256,
      rows: cohortImports.rows,
      columns: cohortImports.columns,
      importedBy: cohortImports.importedBy,
      createdAt: cohortImports.createdAt,
    })
    .from(cohortImports)
    .orderBy(desc(cohortImports.createdAt));
  return rows;
}

/** The stored file (for an evaluation run). */
export async function cohortImportContent(db: Db, actor: Actor, id: number): Promise<typeof cohortImports.$inferSelect> {
  authorise(actor, 'evaluation.read');
  const [row] = await db.select().from(cohortImports).where(eq(cohortImports.id, id));
  if (!row) throw new NotFound('Cohort import');
  return row;
}
