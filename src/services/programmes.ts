// Programme definitions as recorded in programme_versions: every version a group may name, whether read from
// the programmes/ folder at start-up or uploaded by an administrator. A recorded version's content never
// changes (a change is a new version), so a group keeps the version it started under.
import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import type { Db, Executor } from '../db/connection.js';
import { programmeGroups, programmeVersions, users } from '../db/schema.js';
import { canonicalJson } from '../domain/audit/chain.js';
import { compareProgrammeVersions as compareDefinitions, type ProgrammeComparison } from '../domain/programme/compare.js';
import {
  isProgrammeId,
  parseProgrammeDefinition,
  parseProgrammeFile,
  ProgrammeDefinitionError,
  type ProgrammeDefinition,
} from '../domain/programme/definition.js';
import { authorise, systemActor, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { NotFound, ValidationFailed } from './errors.js';

export class ProgrammeVersionChanged extends Error {}

// Any constant will do: it serialises uploads, so two administrators cannot both add the same version.
const programmeVersionsLockKey = 582_960_417;

const sha256Of = (def: ProgrammeDefinition) => createHash('sha256').update(canonicalJson(def)).digest('hex');

export async function recordProgrammeVersions(db: Db, definitions: ProgrammeDefinition[]): Promise<void> {
  for (const def of definitions) {
    const sha256 = sha256Of(def);
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
      await appendAudit(tx, systemActor, {
        action: 'programme_version.recorded',
        subjectType: 'programme_version',
        subjectId: `${def.id}@${def.version}`,
        details: { sha256 },
      });
    });
  }
}

/**
 * The current (latest) version of each programme, from every recorded version, folder and uploads alike. Each
 * recorded version is validated as a file is at start-up: one that no longer passes stops start-up, naming the field.
 */
export async function currentProgrammeDefinitions(ex: Executor): Promise<ProgrammeDefinition[]> {
  const rows = await ex.select().from(programmeVersions).orderBy(asc(programmeVersions.programmeId), desc(programmeVersions.version));
  const current = new Map<string, ProgrammeDefinition>();
  for (const row of rows) {
    const def = parseProgrammeDefinition(row.definition, `programme_versions: ${row.programmeId} v${row.version}`);
    if (!current.has(def.id)) current.set(def.id, def);
  }
  return [...current.values()];
}

export interface ProgrammeVersionSummary {
  version: number;
  name: string;
  effectiveFrom: string;
  recordedAt: Date;
  /** Who uploaded it; undefined for a version read from the programmes/ folder. */
  uploadedBy?: string;
  /** Groups that run under this version. */
  groups: number;
}

export interface ProgrammeVersions {
  programmeId: string;
  /** The latest version's name. */
  name: string;
  /** Newest first. */
  versions: ProgrammeVersionSummary[];
}

/** Every programme with its versions, newest first; administrators only. */
export async function listProgrammeVersions(db: Db, actor: Actor): Promise<ProgrammeVersions[]> {
  authorise(actor, 'programme.manage');
  const groupsPerVersion = db
    .select({ versionId: programmeGroups.programmeVersionId, groups: count().as('groups') })
    .from(programmeGroups)
    .groupBy(programmeGroups.programmeVersionId)
    .as('groups_per_version');
  const rows = await db
    .select({ row: programmeVersions, uploadedBy: users.displayName, groups: sql<number>`coalesce(${groupsPerVersion.groups}, 0)`.mapWith(Number) })
    .from(programmeVersions)
    .leftJoin(users, eq(users.id, programmeVersions.uploadedBy))
    .leftJoin(groupsPerVersion, eq(groupsPerVersion.versionId, programmeVersions.id))
    .orderBy(asc(programmeVersions.programmeId), desc(programmeVersions.version));
  const programmes = new Map<string, ProgrammeVersions>();
  for (const { row, uploadedBy, groups } of rows) {
    const entry = programmes.get(row.programmeId) ?? { programmeId: row.programmeId, name: row.name, versions: [] };
    entry.versions.push({
      version: row.version,
      name: row.name,
      effectiveFrom: (row.definition as ProgrammeDefinition).effectiveFrom,
      recordedAt: row.loadedAt,
      ...(uploadedBy ? { uploadedBy } : {}),
      groups,
    });
    programmes.set(row.programmeId, entry);
  }
  return [...programmes.values()];
}

/** One programme with its versions; NotFound when there is no such programme. */
export async function getProgrammeVersions(db: Db, actor: Actor, programmeId: string): Promise<ProgrammeVersions> {
  const found = (await listProgrammeVersions(db, actor)).find((p) => p.programmeId === programmeId);
  if (!found) throw new NotFound('Programme');
  return found;
}

/** One recorded version's definition, as its file holds it; NotFound when there is no such version. */
export async function getProgrammeVersion(db: Db, actor: Actor, programmeId: string, version: number): Promise<ProgrammeDefinition> {
  authorise(actor, 'programme.manage');
  if (!isProgrammeId(programmeId)) throw new NotFound('Programme version');
  const [row] = await db
    .select({ definition: programmeVersions.definition })
    .from(programmeVersions)
    .where(and(eq(programmeVersions.programmeId, programmeId), eq(programmeVersions.version, version)));
  if (!row) throw new NotFound('Programme version');
  return row.definition as ProgrammeDefinition;
}

/**
 * The differences between two versions of a programme, named in `was` and `now` (whole numbers as text, from a
 * form). ValidationFailed on `was` or `now` when one is not a version of the programme, or both are the same.
 */
export async function compareProgrammeVersions(db: Db, actor: Actor, programmeId: string, input: { was: unknown; now: unknown }): Promise<ProgrammeComparison> {
  const programme = await getProgrammeVersions(db, actor, programmeId);
  const known = new Set(programme.versions.map((v) => v.version));
  const chosen = (field: 'was' | 'now', what: string) => {
    const version = Number(input[field]);
    if (input[field] === undefined || input[field] === '') throw ValidationFailed.one(field, `Choose the ${what} to compare`);
    if (!known.has(version)) throw ValidationFailed.one(field, `Choose the ${what} from the list of versions`);
    return version;
  };
  const was = chosen('was', 'earlier version');
  const now = chosen('now', 'later version');
  if (was === now) throw ValidationFailed.one('now', 'Choose two different versions to compare');
  return compareDefinitions(await getProgrammeVersion(db, actor, programmeId, was), await getProgrammeVersion(db, actor, programmeId, now));
}

/**
 * Accepts a new version uploaded by an administrator: validated exactly as a file in programmes/ is at start-up
 * (its name, its JSON, every field), newer than every recorded version of its programme, then recorded, so it
 * survives restarts and new groups take it up; groups already running keep the version they started under.
 * ValidationFailed on `file` naming the bad field; nothing is stored then.
 */
export async function uploadProgrammeVersion(db: Db, actor: Actor, file: { fileName: string; content: string }): Promise<ProgrammeDefinition> {
  authorise(actor, 'programme.manage');
  if (!file.fileName) throw ValidationFailed.one('file', 'Choose a programme definition file');
  let def: ProgrammeDefinition;
  try {
    def = parseProgrammeFile(file.fileName, file.content);
  } catch (error) {
    if (!(error instanceof ProgrammeDefinitionError)) throw error;
    throw ValidationFailed.one('file', `${error.source} is not a valid programme definition: ${error.field}: ${error.reason}`);
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${programmeVersionsLockKey})`);
    const recorded = (await tx.select({ version: programmeVersions.version }).from(programmeVersions).where(eq(programmeVersions.programmeId, def.id))).map(
      (r) => r.version,
    );
    const latest = Math.max(0, ...recorded);
    if (recorded.includes(def.version)) {
      throw ValidationFailed.one(
        'file',
        `${def.id} version ${def.version} already exists and a recorded version cannot be replaced: save your change as version ${latest + 1}`,
      );
    }
    if (def.version < latest) {
      throw ValidationFailed.one(
        'file',
        `${def.id} version ${def.version} is older than the latest version, ${latest}: save your change as version ${latest + 1}`,
      );
    }
    const sha256 = sha256Of(def);
    await tx.insert(programmeVersions).values({ programmeId: def.id, version: def.version, name: def.name, definition: def, sha256, uploadedBy: actor.userId });
    await appendAudit(tx, actor, {
      action: 'programme_version.uploaded',
      subjectType: 'programme_version',
      subjectId: `${def.id}@${def.version}`,
      details: { sha256 },
    });
    return def;
  });
}
