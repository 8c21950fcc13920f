// Keeps the programme_versions table in step with the definition files, so a group can always
// name the exact version it started under. A recorded version's content may never change.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { programmeVersions } from '../db/schema.js';
import { canonicalJson } from '../domain/audit/chain.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { systemActor } from './access.js';
import { appendAudit } from './audit.js';

export class ProgrammeVersionChanged extends Error {}

export async function recordProgrammeVersions(db: Db, definitions: ProgrammeDefinition[]): Promise<void> {
  for (const def of definitions) {
    const sha256 = createHash('sha256').update(canonicalJson(def)).digest('hex');
    await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ sha256: programmeVersions.sha256 })
        .from(programmeVersions)
        .where(and(eq(programmeVersions.programmeId, def.id), eq(programmeVersions.version, def.version)));
      if (existing) {
        if (existing.sha256 !== sha256) {
          throw new ProgrammeVersionChanged(
            `programmes/${def.id}.v${def.version}.json differs from the version already in use; save the change as version ${def.version + 1} instead`,
          );
        }
        return;
      }
      await tx.insert(programmeVersions).values({ programmeId: def.id, version: def.version, name: def.name, definition: def, sha256 });
      await appendAudit(tx, systemActor, { action: 'programme_version.recorded', subjectType: 'programme_version', subjectId: `${def.id}@${def.version}`, details: { sha256 } });
    });
  }
}
