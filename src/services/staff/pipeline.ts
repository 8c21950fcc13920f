// The facilitator pipeline's records: who is in it at a site, a member's record (every move with who made it,
// when, why and its evidence; each programme's training and accreditation, with the standing supervision gives
// it), adding a member, moving one on, and linking a facilitator's sign-in. Each move is checked against the
// pipeline file (src/domain/staff/pipeline.ts), saved with its evidence files and its effects on accreditation in
// one transaction, and audited; reads are audited too.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor, Tx } from '../../db/connection.js';
import { sites, staffEvidenceFiles, staffMembers, staffProgrammeStages, staffStageMoves, users, userSites } from '../../db/schema.js';
import { can, onlyOwn, type Action } from '../../domain/permissions.js';
import {
  applyStageMove,
  availableMoves,
  pipelineStage,
  positionAfter,
  programmesFor,
  stageLabel,
  startingMove,
  type PipelineDefinition,
  type PipelinePosition,
  type StageMove,
} from '../../domain/staff/pipeline.js';
import { facilitatorPipeline } from '../../pipeline-files.js';
import { londonToday } from '../../clock.js';
import { authorise, canSeeSite, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import type { ReceivedProduct } from '../delivery/products.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { keepFile, removeFile, storeFolder } from '../file-store.js';
import { requiredId, versionField } from '../input-fields.js';
import { currentProgrammeDefinitions } from '../programmes.js';
import { validate } from '../validate.js';
import { evidenceFiles, evidenceValues } from './evidence.js';
import { carryOutEffects } from './pipeline-effects.js';
import { standingAccreditations } from './accreditation.js';

export interface EvidenceStore {
  fileStoreDir: string;
  maxBytes: number;
}

/** Files a move's form sent, keyed by evidence field. */
export type EvidenceUploads = Readonly<Record<string, ReceivedProduct | undefined>>;

type MemberRow = typeof staffMembers.$inferSelect;

export interface StaffSummary {
  id: number;
  displayName: string;
  siteId: number;
  stage: string;
  stageLabel: string;
  stageTag: string;
  /** Each programme's stage, as "Core SOTP: Accredited". */
  programmes: Array<{ programmeId: string; stage: string; label: string }>;
  hasSignIn: boolean;
}

export interface ProgrammeStanding {
  programmeId: string;
  programmeName: string;
  stage: string;
  label: string;
  tag: string;
  /** From supervision (accredited sign-ins only): what the accreditation service computes for today. */
  supervision?: string;
  deliversUntil?: string | null;
  endedBy?: string | null;
  supervisionDueOn?: string | null;
  graceEndsOn?: string | null;
}

export interface MoveRecord {
  id: number;
  moveId: string;
  label: string;
  programmeId: string | null;
  programmeName: string | null;
  fromLabel: string;
  toLabel: string;
  reason: string;
  evidence: Array<{ label: string; value: string; fileId?: number; bytes?: number }>;
  movedBy: string;
  movedAt: Date;
  pipelineVersion: number;
}

export interface StaffRecord {
  id: number;
  displayName: string;
  siteId: number;
  siteName: string;
  userId: number | null;
  username: string | null;
  stage: string;
  stageLabel: string;
  stageTag: string;
  version: number;
  programmes: ProgrammeStanding[];
  history: MoveRecord[];
  /** The moves the reader may make now (none for a facilitator reading his own record). */
  moves: Array<{ id: string; label: string }>;
  canLinkSignIn: boolean;
  /** For an administrator linking a sign-in: the site's facilitator sign-ins not yet linked to anyone. */
  signInChoices: Array<{ userId: number; username: string; displayName: string }>;
}

const notFound = () => new NotFound('Member of staff');

async function programmeNames(ex: Executor): Promise<Map<string, string>> {
  return new Map((await currentProgrammeDefinitions(ex)).map((p) => [p.id, p.shortName]));
}

/** Loads a member of staff when the actor may take the action on them: at one of their sites, or (own-only roles) themselves. */
async function loadMemberFor(ex: Executor, actor: Actor, staffMemberId: number, action: Action): Promise<MemberRow> {
  authorise(actor, action);
  const [member] = await ex.select().from(staffMembers).where(eq(staffMembers.id, staffMemberId));
  if (!member) throw notFound();
  if (onlyOwn(actor.role, action)) {
    if (member.userId === null || member.userId !== actor.userId) throw new AccessDenied('You can see only your own pipeline record');
  } else {
    authorise(actor, action, member.siteId);
  }
  return member;
}

async function positionOf(ex: Executor, member: MemberRow): Promise<PipelinePosition> {
  const stages = await ex.select().from(staffProgrammeStages).where(eq(staffProgrammeStages.staffMemberId, member.id));
  const history = await ex
    .select({ moveId: staffStageMoves.moveId, programmeId: staffStageMoves.programmeId, evidence: staffStageMoves.evidence })
    .from(staffStageMoves)
    .where(eq(staffStageMoves.staffMemberId, member.id))
    .orderBy(asc(staffStageMoves.id));
  return {
    stage: member.stage,
    programmeStages: Object.fromEntries(stages.map((s) => [s.programmeId, s.stage])),
    history,
    hasSignIn: member.userId !== null,
  };
}

/** The people in the pipeline at a site, by name (a facilitator: his own entry only). */
export async function listSiteStaff(db: Db, actor: Actor, siteId: number): Promise<StaffSummary[]> {
  authorise(actor, 'staff.read', siteId);
  const def = facilitatorPipeline();
  return db.transaction(async (tx) => {
    const own = onlyOwn(actor.role, 'staff.read');
    const members = await tx
      .select()
      .from(staffMembers)
      .where(and(eq(staffMembers.siteId, siteId), own ? eq(staffMembers.userId, actor.userId ?? -1) : undefined))
      .orderBy(asc(staffMembers.displayName), asc(staffMembers.id));
    const ids = members.map((m) => m.id);
    const stages = ids.length ? await tx.select().from(staffProgrammeStages).where(inArray(staffProgrammeStages.staffMemberId, ids)) : [];
    const names = await programmeNames(tx);
    await appendAudit(tx, actor, { action: 'staff.list_viewed', subjectType: 'site', subjectId: siteId, siteId, details: { count: members.length } });
    return members.map((m) => ({
      id: m.id,
      displayName: m.displayName,
      siteId: m.siteId,
      stage: m.stage,
      stageLabel: stageLabel(def, m.stage),
      stageTag: pipelineStage(def, m.stage)?.tag ?? 'govuk-tag--grey',
      programmes: stages
        .filter((s) => s.staffMemberId === m.id)
        .map((s) => ({ programmeId: s.programmeId, stage: s.stage, label: `${names.get(s.programmeId) ?? s.programmeId}: ${stageLabel(def, s.stage)}` })),
      hasSignIn: m.userId !== null,
    }));
  });
}

function presentEvidence(move: StageMove | undefined, evidence: Record<string, string>, files: Array<typeof staffEvidenceFiles.$inferSelect>) {
  const fields = move?.evidence ?? Object.keys(evidence).map((id) => ({ id, label: id, kind: 'text' as const, options: undefined }));
  return fields.flatMap((f) => {
    if (f.kind === 'file') {
      const file = files.find((x) => x.field === f.id);
      return file ? [{ label: f.label, value: file.fileName, fileId: file.id, bytes: file.bytes }] : [];
    }
    const value = evidence[f.id];
    if (value === undefined) return [];
    return [{ label: f.label, value: f.options?.find((o) => o.value === value)?.text ?? value }];
  });
}

/** A member's pipeline record; audited as a read. */
export async function getStaffRecord(db: Db, actor: Actor, staffMemberId: number, today = londonToday()): Promise<StaffRecord> {
  const def = facilitatorPipeline();
  return db.transaction(async (tx) => {
    const member = await loadMemberFor(tx, actor, staffMemberId, 'staff.read');
    const position = await positionOf(tx, member);
    const names = await programmeNames(tx);
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, member.siteId));
    const [user] = member.userId ? await tx.select({ username: users.username }).from(users).where(eq(users.id, member.userId)) : [];
    const standing = member.userId ? await standingAccreditations(tx, [member.userId], today) : [];
    const lapsed = pipelineStage(def, 'lapsed');
    const programmes: ProgrammeStanding[] = Object.entries(position.programmeStages)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([programmeId, stage]) => {
        const s = standing.find((a) => a.programmeId === programmeId);
        // Lapsed is computed from supervision, never recorded: an accreditation whose supervision lapsed shows it.
        const shown = stage === 'accredited' && s?.supervision === 'lapsed' && lapsed ? lapsed : pipelineStage(def, stage);
        return {
          programmeId,
          programmeName: names.get(programmeId) ?? programmeId,
          stage: shown?.id ?? stage,
          label: shown?.label ?? stage,
          tag: shown?.tag ?? 'govuk-tag--grey',
          ...(s
            ? {
                supervision: s.supervision,
                deliversUntil: s.deliversUntil,
                endedBy: s.endedBy,
                supervisionDueOn: s.supervisionDueOn,
                graceEndsOn: s.graceEndsOn,
              }
            : {}),
        };
      });
    const rows = await tx
      .select({ move: staffStageMoves, movedByDisplay: users.displayName })
      .from(staffStageMoves)
      .leftJoin(users, eq(users.id, staffStageMoves.movedBy))
      .where(eq(staffStageMoves.staffMemberId, member.id))
      .orderBy(asc(staffStageMoves.id));
    const files = rows.length
      ? await tx
          .select()
          .from(staffEvidenceFiles)
          .where(
            inArray(
              staffEvidenceFiles.moveId,
              rows.map((r) => r.move.id),
            ),
          )
      : [];
    const history: MoveRecord[] = rows.map(({ move: m, movedByDisplay }) => {
      const move = def.moves.find((d) => d.id === m.moveId);
      return {
        id: m.id,
        moveId: m.moveId,
        label: move?.label ?? m.moveId,
        programmeId: m.programmeId,
        programmeName: m.programmeId ? (names.get(m.programmeId) ?? m.programmeId) : null,
        fromLabel: stageLabel(def, m.fromStage),
        toLabel: stageLabel(def, m.toStage),
        reason: m.reason,
        evidence: presentEvidence(
          move,
          m.evidence,
          files.filter((f) => f.moveId === m.id),
        ),
        movedBy: movedByDisplay ?? (m.movedBy === null ? 'sotp (system)' : m.movedByName),
        movedAt: m.movedAt,
        pipelineVersion: m.pipelineVersion,
      };
    });
    const canLinkSignIn = member.userId === null && canLink(actor);
    await appendAudit(tx, actor, { action: 'staff.viewed', subjectType: 'staff_member', subjectId: member.id, siteId: member.siteId });
    return {
      id: member.id,
      displayName: member.displayName,
      siteId: member.siteId,
      siteName: site?.name ?? '',
      userId: member.userId,
      username: user?.username ?? null,
      stage: member.stage,
      stageLabel: stageLabel(def, member.stage),
      stageTag: pipelineStage(def, member.stage)?.tag ?? 'govuk-tag--grey',
      version: member.version,
      programmes,
      history: history.reverse(),
      moves: mayMove(actor, member) ? availableMoves(def, position, actor.role, [...names.keys()]).map((m) => ({ id: m.id, label: m.label })) : [],
      canLinkSignIn,
      signInChoices: canLinkSignIn ? await unlinkedSignIns(tx, member.siteId) : [],
    };
  });
}

function canLink(actor: Actor): boolean {
  return can(actor.role, 'staff.sign_in.link');
}

function mayMove(actor: Actor, member: MemberRow): boolean {
  return can(actor.role, 'staff.move') && canSeeSite(actor, member.siteId);
}

async function unlinkedSignIns(ex: Executor, siteId: number) {
  const rows = await ex
    .select({ userId: users.id, username: users.username, displayName: users.displayName })
    .from(users)
    .innerJoin(userSites, eq(userSites.userId, users.id))
    .leftJoin(staffMembers, eq(staffMembers.userId, users.id))
    .where(and(eq(userSites.siteId, siteId), eq(users.role, 'facilitator'), eq(users.disabled, false), isNull(staffMembers.id)))
    .orderBy(asc(users.displayName));
  return rows;
}

export interface MoveForm {
  staffMemberId: number;
  displayName: string;
  version: number;
  move: StageMove;
  /** For a programme move: the programmes it can be made for now. */
  programmes: Array<{ id: string; name: string }>;
}

/** What the form of one move needs: the move from the file, and the programmes it may be made for. */
export async function stageMoveForm(db: Db, actor: Actor, staffMemberId: number, moveId: string): Promise<MoveForm> {
  const def = facilitatorPipeline();
  return db.transaction(async (tx) => {
    const member = await loadMemberFor(tx, actor, staffMemberId, 'staff.move');
    const position = await positionOf(tx, member);
    const names = await programmeNames(tx);
    const move = availableMoves(def, position, actor.role, [...names.keys()]).find((m) => m.id === moveId);
    if (!move) throw new NotFound('A move of that name open to you from their stage');
    await appendAudit(tx, actor, {
      action: 'staff.viewed',
      subjectType: 'staff_member',
      subjectId: member.id,
      siteId: member.siteId,
      details: { part: 'move_form', move: move.id },
    });
    return {
      staffMemberId: member.id,
      displayName: member.displayName,
      version: member.version,
      move,
      programmes: programmesFor(move, position, [...names.keys()]).map((id) => ({ id, name: names.get(id) ?? id })),
    };
  });
}

/** The starting move's form (adding someone to the pipeline). */
export function startingMoveOf(): StageMove {
  return startingMove(facilitatorPipeline());
}

/** A move of the pipeline file by id, whatever the stage: what a sent form's fields are read against. */
export function pipelineMove(moveId: string): StageMove {
  const move = facilitatorPipeline().moves.find((m) => m.id === moveId);
  if (!move) throw new NotFound('A pipeline move of that name');
  return move;
}

function refusalError(outcome: Extract<ReturnType<typeof applyStageMove>, { ok: false }>): Error {
  if (outcome.refusal === 'not_allowed_for_role' || outcome.refusal === 'needs_import') return new AccessDenied(outcome.message);
  return ValidationFailed.one(outcome.field, outcome.message);
}

const moveInput = z.object({ version: versionField });
const newMemberInput = z.object({
  displayName: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ error: 'Enter their full name' }).min(1, 'Enter their full name').max(200, 'Full name must be 200 characters or fewer'),
  ),
  siteId: requiredId('Choose the site'),
});

interface MoveRequest {
  member: MemberRow;
  moveId: string;
  input: Record<string, unknown>;
  files: EvidenceUploads;
  store: EvidenceStore;
  byImport?: boolean;
  today: string;
}

/**
 * Checks and records one move in the caller's transaction: the refusal (naming the rule) or the stage change,
 * the move with its evidence and files, its effects on accreditation, and the audit entry. Files moved into the
 * store are listed in `kept`, so the caller removes them if the transaction does not commit.
 */
async function recordMove(tx: Tx, actor: Actor, def: PipelineDefinition, request: MoveRequest, kept: string[]): Promise<{ id: number; version: number }> {
  const { member, input } = request;
  const position = await positionOf(tx, member);
  const reason = typeof input.reason === 'string' ? input.reason : '';
  const programmeId = typeof input.programmeId === 'string' ? input.programmeId : undefined;
  const outcome = applyStageMove(def, position, request.moveId, actor, { programmeId, reason, byImport: request.byImport });
  if (!outcome.ok) throw refusalError(outcome);
  if (outcome.programmeId && !(await programmeNames(tx)).has(outcome.programmeId))
    throw ValidationFailed.one('programmeId', `There is no programme "${outcome.programmeId}"`);
  const evidence = evidenceValues(outcome.move, input, request.today);
  const files = await evidenceFiles(outcome.move, request.files, request.store.maxBytes);
  const after = positionAfter(position, outcome);
  const version = member.version + 1;
  const updated = await tx
    .update(staffMembers)
    .set({ stage: after.stage, version, updatedAt: new Date() })
    .where(and(eq(staffMembers.id, member.id), eq(staffMembers.version, member.version)))
    .returning({ id: staffMembers.id });
  if (updated.length === 0) throw new EditConflict('This pipeline record');
  for (const [programme, stage] of Object.entries(after.programmeStages)) {
    if (position.programmeStages[programme] === stage) continue;
    await tx
      .insert(staffProgrammeStages)
      .values({ staffMemberId: member.id, programmeId: programme, stage })
      .onConflictDoUpdate({
        target: [staffProgrammeStages.staffMemberId, staffProgrammeStages.programmeId],
        set: { stage, updatedAt: new Date(), version: sqlIncrement() },
      });
  }
  const [row] = await tx
    .insert(staffStageMoves)
    .values({
      staffMemberId: member.id,
      pipelineVersion: def.version,
      moveId: outcome.move.id,
      programmeId: outcome.programmeId,
      fromStage: outcome.from,
      toStage: outcome.to,
      reason: outcome.reason,
      evidence,
      movedBy: actor.userId,
      movedByName: actor.username,
    })
    .returning({ id: staffStageMoves.id });
  const folder = storeFolder(request.store.fileStoreDir, 'staff-evidence');
  for (const f of files) {
    const { storageKey, finalPath } = await keepFile(f.file.path, folder.directory, f.extension);
    kept.push(finalPath);
    await tx.insert(staffEvidenceFiles).values({
      moveId: row.id,
      field: f.field,
      fileName: f.fileName,
      contentType: f.contentType,
      bytes: f.file.bytes,
      sha256: f.sha256,
      storageKey,
    });
  }
  await carryOutEffects(tx, actor, outcome.effects, {
    userId: member.userId,
    programmeId: outcome.programmeId,
    evidence,
    reason: outcome.reason,
    today: request.today,
  });
  await appendAudit(tx, actor, {
    action: 'staff.moved',
    subjectType: 'staff_member',
    subjectId: member.id,
    siteId: member.siteId,
    details: { moveRecordId: row.id, move: outcome.move.id, programmeId: outcome.programmeId, from: outcome.from, to: outcome.to, files: files.length },
  });
  return { id: row.id, version };
}

function sqlIncrement() {
  return sql`${staffProgrammeStages.version} + 1`;
}

async function withKeptFiles<T>(files: EvidenceUploads, work: (kept: string[]) => Promise<T>): Promise<T> {
  const kept: string[] = [];
  try {
    return await work(kept);
  } catch (error) {
    for (const path of kept) await removeFile(path);
    throw error;
  } finally {
    for (const f of Object.values(files)) if (f?.path) await removeFile(f.path);
  }
}

/** Adds someone who applied to become a facilitator: a member of staff at the site, with the pipeline's starting move. */
export async function addStaffMember(
  db: Db,
  actor: Actor,
  input: Record<string, unknown>,
  files: EvidenceUploads,
  store: EvidenceStore,
  today = londonToday(),
): Promise<{ id: number }> {
  authorise(actor, 'staff.move');
  const def = facilitatorPipeline();
  return withKeptFiles(files, (kept) =>
    db.transaction(async (tx) => {
      const { displayName, siteId } = validate(newMemberInput, input);
      authorise(actor, 'staff.move', siteId);
      const [site] = await tx.select({ id: sites.id }).from(sites).where(eq(sites.id, siteId));
      if (!site) throw ValidationFailed.one('siteId', 'Choose the site');
      const [member] = await tx.insert(staffMembers).values({ displayName, siteId, stage: 'none' }).returning();
      await recordMove(tx, actor, def, { member, moveId: startingMove(def).id, input, files, store, today }, kept);
      return { id: member.id };
    }),
  );
}

/** Moves a member of staff on; `input` holds the version read, the programme (a programme move), the reason and the evidence. */
export async function makeStageMove(
  db: Db,
  actor: Actor,
  staffMemberId: number,
  moveId: string,
  input: Record<string, unknown>,
  files: EvidenceUploads,
  store: EvidenceStore,
  today = londonToday(),
): Promise<{ id: number; version: number }> {
  authorise(actor, 'staff.move');
  const def = facilitatorPipeline();
  return withKeptFiles(files, (kept) =>
    db.transaction(async (tx) => {
      const member = await loadMemberFor(tx, actor, staffMemberId, 'staff.move');
      const { version } = validate(moveInput, input);
      if (version !== member.version) throw new EditConflict('This pipeline record');
      if (startingMove(def).id === moveId) throw ValidationFailed.one('move', 'They are in the pipeline already');
      return recordMove(tx, actor, def, { member, moveId, input, files, store, today }, kept);
    }),
  );
}

/** Records a move the import makes (an accreditation from before sotp), in the import's transaction. */
export async function recordImportedMove(
  tx: Tx,
  actor: Actor,
  member: MemberRow,
  moveId: string,
  input: Record<string, unknown>,
  today: string,
): Promise<void> {
  authorise(actor, 'staff.import');
  await recordMove(tx, actor, facilitatorPipeline(), { member, moveId, input, files: {}, store: { fileStoreDir: '', maxBytes: 0 }, byImport: true, today }, []);
}

const linkInput = z.object({ version: versionField, userId: requiredId('Choose the facilitator’s sign-in') });

/** An administrator links a facilitator's sign-in to a member of staff, so accreditation can be granted to it. */
export async function linkSignIn(db: Db, actor: Actor, staffMemberId: number, input: unknown): Promise<void> {
  authorise(actor, 'staff.sign_in.link');
  await db.transaction(async (tx) => {
    const [member] = await tx.select().from(staffMembers).where(eq(staffMembers.id, staffMemberId));
    if (!member) throw notFound();
    const { version, userId } = validate(linkInput, input);
    if (member.userId !== null) throw ValidationFailed.one('userId', 'A sign-in is linked already');
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user || user.role !== 'facilitator' || user.disabled) throw ValidationFailed.one('userId', 'Choose a sign-in of a facilitator that is not disabled');
    const [taken] = await tx.select({ id: staffMembers.id }).from(staffMembers).where(eq(staffMembers.userId, userId));
    if (taken) throw ValidationFailed.one('userId', 'That sign-in is linked to another member of staff');
    const updated = await tx
      .update(staffMembers)
      .set({ userId, version: version + 1, updatedAt: new Date() })
      .where(and(eq(staffMembers.id, member.id), eq(staffMembers.version, version)))
      .returning({ id: staffMembers.id });
    if (updated.length === 0) throw new EditConflict('This pipeline record');
    await appendAudit(tx, actor, {
      action: 'staff.sign_in_linked',
      subjectType: 'staff_member',
      subjectId: member.id,
      siteId: member.siteId,
      details: { userId },
    });
  });
}

export interface EvidenceDownload {
  fileName: string;
  contentType: string;
  bytes: number;
  stream: Readable;
}

/** Opens an evidence file of a member's record; every download is audited. */
export async function openEvidenceFile(
  db: Db,
  actor: Actor,
  staffMemberId: number,
  fileId: number,
  store: Pick<EvidenceStore, 'fileStoreDir'>,
): Promise<EvidenceDownload> {
  const found = await db.transaction(async (tx) => {
    const member = await loadMemberFor(tx, actor, staffMemberId, 'staff.read');
    const [row] = await tx
      .select({ file: staffEvidenceFiles })
      .from(staffEvidenceFiles)
      .innerJoin(staffStageMoves, eq(staffStageMoves.id, staffEvidenceFiles.moveId))
      .where(and(eq(staffEvidenceFiles.id, fileId), eq(staffStageMoves.staffMemberId, member.id)));
    if (!row) throw new NotFound('Evidence file');
    const path = join(storeFolder(store.fileStoreDir, 'staff-evidence').directory, row.file.storageKey);
    const info = await stat(path).catch(() => null);
    if (!info) throw new NotFound('The stored file');
    await appendAudit(tx, actor, {
      action: 'staff.evidence_downloaded',
      subjectType: 'staff_member',
      subjectId: member.id,
      siteId: member.siteId,
      details: { fileId: row.file.id },
    });
    return { row: row.file, path, bytes: info.size };
  });
  return { fileName: found.row.fileName, contentType: found.row.contentType, bytes: found.bytes, stream: createReadStream(found.path) };
}
