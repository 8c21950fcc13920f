// Imports reconviction records from national data (CSV): one row per reconviction with the man's
// prison number (administrators only: it is turned into his pseudonym on the way in and never stored)
// or his pseudonym, the outcome and the offence date. Validated row by row, all or nothing, idempotent.
import { createHash } from 'node:crypto';
import { desc, eq, max } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { reconvictionImports, reconvictions } from '../db/schema.js';
import { parseIsoDay, type CohortProblem } from '../domain/evaluation/cohort.js';
import { can } from '../domain/permissions.js';
import { looksLikePrisonNumber, normalisedPrisonNumber } from '../domain/people/prison-number.js';
import { nulProblems, syntaxProblem } from '../domain/evaluation/csv-problems.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { ValidationFailed } from './errors.js';
import { requiredDate } from './input-fields.js';
import { pseudonymFor } from './pseudonyms.js';
import { problemsAsFieldErrors } from './cohort-file-check.js';
import { maxImportBytes } from './cohort-imports.js';
import { validate } from './validate.js';

export const reconvictionImportInput = z.object({
  fileName: z.string({ error: 'Choose a CSV file' }).trim().min(1, 'Choose a CSV file').max(200, 'File name must be 200 characters or fewer'),
  content: z.string({ error: 'Choose a CSV file' }).min(1, 'The file is empty').max(maxImportBytes, 'The file must be smaller than 64 MB'),
  dataAsOf: requiredDate('date the data runs to'),
});

const outcomePattern = /^[a-z][a-z0-9_]*$/;

interface Row {
  personRef: string;
  outcome: string;
  offenceDate: string;
}

function checkRows(actor: Actor, content: string, dataAsOf: string, pseudonymKey: string): Row[] {
  let records: Record<string, string>[];
  const unstorable = nulProblems(content);
  if (unstorable.length) throw new ValidationFailed(problemsAsFieldErrors(unstorable));
  try {
    records = parse(content, { columns: true, bom: true, trim: true, skip_empty_lines: true });
  } catch (error) {
    const problem = syntaxProblem(error, content);
    throw new ValidationFailed(problemsAsFieldErrors([problem ?? { line: 1, field: 'file', reason: 'the file is not valid CSV' }]));
  }
  const columns = records.length ? Object.keys(records[0]) : [];
  const byPrisonNumber = columns.includes('prison_number');
  if (!byPrisonNumber && !columns.includes('person_ref')) throw ValidationFailed.one('file', 'The file needs a prison_number or person_ref column');
  for (const needed of ['outcome', 'offence_date']) if (!columns.includes(needed)) throw ValidationFailed.one('file', `The file needs a ${needed} column`);
  if (records.length === 0) throw ValidationFailed.one('file', 'The file has no rows');
  if (byPrisonNumber && !can(actor.role, 'reconviction.import_named')) {
    throw ValidationFailed.one('file', 'Researchers import pseudonymised records only: use a person_ref column, not prison_number');
  }
  const limit = parseIsoDay(dataAsOf);
  const problems: CohortProblem[] = [];
  const rows: Row[] = [];
  records.forEach((record, i) => {
    const line = i + 2;
    const id = byPrisonNumber ? normalisedPrisonNumber(record.prison_number) : record.person_ref;
    const day = parseIsoDay(record.offence_date);
    if (byPrisonNumber && !looksLikePrisonNumber(id))
      problems.push({ line, field: 'prison_number', reason: 'must be a letter, 4 digits and 2 letters, like A1234BC' });
    else if (!byPrisonNumber && (id.trim() === '' || looksLikePrisonNumber(id)))
      problems.push({ line, field: 'person_ref', reason: 'must be a pseudonym, not empty and not a prison number' });
    if (!outcomePattern.test(record.outcome))
      problems.push({ line, field: 'outcome', reason: 'must be lower-case letters, digits and underscores, like sexual' });
    if (Number.isNaN(day)) problems.push({ line, field: 'offence_date', reason: 'must be a real date in the form YYYY-MM-DD' });
    else if (day > limit) problems.push({ line, field: 'offence_date', reason: `is after the date the data runs to (${dataAsOf})` });
    rows.push({ personRef: byPrisonNumber ? pseudonymFor(id, pseudonymKey) : record.person_ref, outcome: record.outcome, offenceDate: record.offence_date });
  });
  if (problems.length) throw new ValidationFailed(problemsAsFieldErrors(problems));
  return rows;
}

export interface ReconvictionImportResult {
  importId: number;
  rows: number;
  newRows: number;
  alreadyImported: boolean;
}

export async function importReconvictions(db: Db, actor: Actor, input: unknown, pseudonymKey: string): Promise<ReconvictionImportResult> {
  authorise(actor, 'evaluation.import');
  const { fileName, content, dataAsOf } = validate(reconvictionImportInput, input);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const [existing] = await db.select().from(reconvictionImports).where(eq(reconvictionImports.sha256, sha256));
  if (existing) return { importId: existing.id, rows: existing.rows, newRows: 0, alreadyImported: true };
  const rows = checkRows(actor, content, dataAsOf, pseudonymKey);
  return db.transaction(async (tx) => {
    const [batch] = await tx
      .insert(reconvictionImports)
      .values({ fileName, sha256, rows: rows.length, newRows: 0, dataAsOf, importedBy: actor.userId! })
      .returning();
    let newRows = 0;
    for (let i = 0; i < rows.length; i += 1000) {
      const inserted = await tx
        .insert(reconvictions)
        .values(rows.slice(i, i + 1000).map((r) => ({ ...r, importId: batch.id })))
        .onConflictDoNothing()
        .returning({ id: reconvictions.id });
      newRows += inserted.length;
    }
    await tx.update(reconvictionImports).set({ newRows }).where(eq(reconvictionImports.id, batch.id));
    await appendAudit(tx, actor, {
      action: 'reconvictions.imported',
      subjectType: 'reconviction_import',
      subjectId: batch.id,
      details: { rows: rows.length, newRows, sha256 },
    });
    return { importId: batch.id, rows: rows.length, newRows, alreadyImported: false };
  });
}

export async function listReconvictionImports(db: Db, actor: Actor) {
  authorise(actor, 'evaluation.read');
  return db.select().from(reconvictionImports).orderBy(desc(reconvictionImports.createdAt));
}

/** The latest date national reconviction data runs to: the end of follow-up for the programme's own men. */
export async function reconvictionDataAsOf(ex: Executor): Promise<string | null> {
  const [row] = await ex.select({ asOf: max(reconvictionImports.dataAsOf) }).from(reconvictionImports);
  return row?.asOf ?? null;
}
