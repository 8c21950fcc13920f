// The current definition of a programme, as recorded in programme_versions (the version staff work to now).
import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { programmeVersions } from '../db/schema.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { ValidationFailed } from './errors.js';

/** The latest recorded version of a programme; a ValidationFailed on `field` when there is no such programme. */
export async function currentProgramme(ex: Executor, programmeId: string, field = 'programmeId'): Promise<ProgrammeDefinition> {
  const [row] = await ex
    .select({ definition: programmeVersions.definition })
    .from(programmeVersions)
    .where(and(eq(programmeVersions.programmeId, programmeId)))
    .orderBy(desc(programmeVersions.version))
    .limit(1);
  if (!row) throw ValidationFailed.one(field, `There is no programme "${programmeId}"`);
  return row.definition as ProgrammeDefinition;
}
