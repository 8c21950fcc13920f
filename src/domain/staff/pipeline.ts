// The facilitator pipeline as data (staff/facilitator-pipeline.v<N>.json): the stages a member of staff passes
// through from application to accreditation, and the moves between them, each with who may make it, the evidence
// it needs, the rules it must meet and what else it does (its effects). Like the referral workflow, but a file
// validated at start-up: a broken one stops start-up naming the field. The functions below only read the data.
//
// A member of staff has one stage (the stage their latest move led to) and, per programme, the stage of their
// training and accreditation for it. A move is `staff` scoped (its `from` is the member's stage) or `programme`
// scoped (its `from` is the stage for the programme named, `none` before any move for it; `staffFrom`, when
// given, limits the member's stage too). `none` in a staff move's `from` is a person not yet in the pipeline.
import { fieldName } from '../field-path.js';
import { z } from 'zod';
import { permissions } from '../permissions.js';
import { roles, type Role } from '../roles.js';

const slug = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits or underscores, starting with a letter');
const fieldId = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'must be letters and digits, starting with a letter');

/** What a move does besides changing the stage; the pipeline service carries each out in the same transaction. */
export const pipelineEffects = ['grants_accreditation', 'suspends_accreditation', 'reinstates_accreditation', 'withdraws_accreditations'] as const;
export type PipelineEffect = (typeof pipelineEffects)[number];

export const evidenceKinds = ['text', 'long_text', 'date', 'choice', 'file'] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

const evidenceField = z.strictObject({
  id: fieldId,
  label: z.string().min(1),
  hint: z.string().min(1).optional(),
  kind: z.enum(evidenceKinds, { error: `must be one of ${evidenceKinds.join(', ')}` }),
  required: z.boolean(),
  options: z.array(z.strictObject({ value: slug, text: z.string().min(1) })).optional(),
  /** A date that cannot be later than the day it is recorded (a training that has happened). */
  notAfterToday: z.boolean().optional(),
  /** Another date field of the move this one may not be earlier than (a course's last day after its first). */
  notBefore: fieldId.optional(),
});
export type EvidenceField = z.infer<typeof evidenceField>;

const requirement = z.discriminatedUnion('kind', [
  // An earlier move must have recorded this evidence value (for the same programme, when sameProgramme).
  z.strictObject({ kind: z.literal('evidence'), move: slug, field: fieldId, equals: z.string().min(1), sameProgramme: z.boolean(), rule: z.string().min(1) }),
  // The member of staff must have a sign-in linked (accreditation belongs to a facilitator's user account).
  z.strictObject({ kind: z.literal('sign_in'), rule: z.string().min(1) }),
]);
export type MoveRequirement = z.infer<typeof requirement>;

const stage = z.strictObject({
  id: slug,
  label: z.string().min(1),
  tag: z.string().regex(/^govuk-tag--[a-z-]+$/, 'must be a GOV.UK tag colour class, like govuk-tag--green'),
  scope: z.enum(['staff', 'programme']),
  /** No move leads out of it. */
  closed: z.boolean().optional(),
  /** Computed from other records (lapsed, from supervision), never reached by a move. */
  computed: z.boolean().optional(),
});

const move = z.strictObject({
  id: slug,
  label: z.string().min(1),
  confirmation: z.string().min(1),
  scope: z.enum(['staff', 'programme']),
  from: z.array(slug).min(1),
  staffFrom: z.array(slug).min(1).optional(),
  to: slug,
  roles: z.array(z.enum(roles, { error: `must be one of ${roles.join(', ')}` })).min(1),
  reasonRequired: z.boolean(),
  /** Made only by `sotp staff import` (staff trained before sotp), never offered on a page. */
  byImport: z.boolean().optional(),
  evidence: z.array(evidenceField),
  requires: z.array(requirement),
  effects: z.array(z.enum(pipelineEffects, { error: `must be one of ${pipelineEffects.join(', ')}` })),
});

export const pipelineDefinitionSchema = z
  .strictObject({
    id: z.literal('facilitator-pipeline'),
    version: z.number().int().min(1),
    source: z.string().min(1),
    stages: z.array(stage).min(1),
    moves: z.array(move).min(1),
  })
  .superRefine((def, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const stages = new Map(def.stages.map((s) => [s.id, s]));
    def.stages.forEach((s, i) => {
      if (def.stages.findIndex((t) => t.id === s.id) !== i) issue(['stages', i, 'id'], `duplicate stage id "${s.id}"`);
    });
    const moveIds = new Set<string>();
    def.moves.forEach((m, i) => {
      if (moveIds.has(m.id)) issue(['moves', i, 'id'], `duplicate move id "${m.id}"`);
      moveIds.add(m.id);
      m.from.forEach((f, j) => {
        if (f !== 'none' && !stages.has(f)) issue(['moves', i, 'from', j], `"${f}" is not a stage of the pipeline (or none)`);
      });
      m.staffFrom?.forEach((f, j) => {
        if (!stages.has(f)) issue(['moves', i, 'staffFrom', j], `"${f}" is not a stage of the pipeline`);
      });
      if (m.scope === 'staff' && m.staffFrom)
        issue(['moves', i, 'staffFrom'], 'only a programme move has staffFrom; a staff move’s from is the member’s stage');
      const to = stages.get(m.to);
      if (!to) issue(['moves', i, 'to'], `"${m.to}" is not a stage of the pipeline`);
      else if (to.computed) issue(['moves', i, 'to'], `"${m.to}" is computed from other records: no move may lead to it`);
      else if (to.scope !== m.scope) issue(['moves', i, 'to'], `"${m.to}" is a ${to.scope} stage but the move is ${m.scope} scoped`);
      m.from.forEach((f, j) => {
        if (stages.get(f)?.closed) issue(['moves', i, 'from', j], `"${f}" is closed: no move leads out of it`);
      });
      // The permissions table says who may move staff on at all; a move may only narrow it.
      const allowed: readonly Role[] = m.byImport ? permissions['staff.import'].roles : permissions['staff.move'].roles;
      m.roles.forEach((r, j) => {
        if (!allowed.includes(r))
          issue(['moves', i, 'roles', j], `a ${r.replace(/_/g, ' ')} may not make this move (permissions: ${m.byImport ? 'staff.import' : 'staff.move'})`);
      });
      const fields = new Map(m.evidence.map((e) => [e.id, e]));
      m.evidence.forEach((e, j) => {
        if (m.evidence.findIndex((f) => f.id === e.id) !== j) issue(['moves', i, 'evidence', j, 'id'], `duplicate evidence field "${e.id}"`);
        if (e.id === 'reason' || e.id === 'programmeId' || e.id === 'version')
          issue(['moves', i, 'evidence', j, 'id'], `"${e.id}" is a field every move has, not evidence`);
        if (e.kind === 'choice' && !e.options?.length) issue(['moves', i, 'evidence', j, 'options'], 'a choice needs its options');
        if (e.kind !== 'choice' && e.options) issue(['moves', i, 'evidence', j, 'options'], 'only a choice has options');
        if ((e.notAfterToday || e.notBefore) && e.kind !== 'date')
          issue(['moves', i, 'evidence', j, 'kind'], 'only a date may have notAfterToday or notBefore');
        if (e.notBefore && fields.get(e.notBefore)?.kind !== 'date')
          issue(['moves', i, 'evidence', j, 'notBefore'], `"${e.notBefore}" is not a date field of this move`);
      });
    });
    def.moves.forEach((m, i) => {
      m.requires.forEach((r, j) => {
        if (r.kind !== 'evidence') return;
        const earlier = def.moves.find((n) => n.id === r.move);
        if (!earlier) issue(['moves', i, 'requires', j, 'move'], `"${r.move}" is not a move of the pipeline`);
        else if (!earlier.evidence.some((e) => e.id === r.field)) issue(['moves', i, 'requires', j, 'field'], `the move "${r.move}" records no "${r.field}"`);
        else if (r.sameProgramme && (earlier.scope !== 'programme' || m.scope !== 'programme'))
          issue(['moves', i, 'requires', j, 'sameProgramme'], 'only a programme move can require evidence of the same programme');
      });
    });
    if (!def.moves.some((m) => m.scope === 'staff' && m.from.includes('none'))) issue(['moves'], 'one staff move must start the pipeline (from "none")');
  });

export type PipelineDefinition = z.infer<typeof pipelineDefinitionSchema>;
export type PipelineStage = PipelineDefinition['stages'][number];
export type StageMove = PipelineDefinition['moves'][number];

export class PipelineDefinitionError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}: ${field}: ${reason}`);
    this.name = 'PipelineDefinitionError';
  }
}

/** A pipeline file's name: facilitator-pipeline.v<N>.json. */
export const pipelineFileName = /^facilitator-pipeline\.v(\d+)\.json$/;

/** Reads one pipeline file; throws a PipelineDefinitionError naming the first bad field. */
export function parsePipelineFile(name: string, text: string): PipelineDefinition {
  const match = pipelineFileName.exec(name);
  if (!match) throw new PipelineDefinitionError(name, '(file name)', 'must be facilitator-pipeline.v<N>.json');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PipelineDefinitionError(name, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = pipelineDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new PipelineDefinitionError(name, fieldName(first.path), first.message);
  }
  if (parsed.data.version !== Number(match[1])) {
    throw new PipelineDefinitionError(name, 'version', `the file name says v${match[1]} but the file says v${parsed.data.version}`);
  }
  return parsed.data;
}

export function pipelineStage(def: PipelineDefinition, id: string): PipelineStage | undefined {
  return def.stages.find((s) => s.id === id);
}

export function stageLabel(def: PipelineDefinition, id: string): string {
  return id === 'none' ? 'Not started' : (pipelineStage(def, id)?.label ?? id);
}

/** Where a member of staff stands: their stage, each programme's stage, the moves made so far and whether a sign-in is linked. */
export interface PipelinePosition {
  /** `none` before they are in the pipeline. */
  stage: string;
  programmeStages: Readonly<Record<string, string>>;
  history: ReadonlyArray<{ moveId: string; programmeId: string | null; evidence: Readonly<Record<string, unknown>> }>;
  hasSignIn: boolean;
}

/** Where the move starts from, as its `from` reads it: the member's stage, or the programme's. */
function startingStage(move: StageMove, position: PipelinePosition, programmeId: string | undefined): string {
  return move.scope === 'staff' ? position.stage : (position.programmeStages[programmeId ?? ''] ?? 'none');
}

function fromAllows(move: StageMove, position: PipelinePosition, programmeId: string | undefined): boolean {
  if (!move.from.includes(startingStage(move, position, programmeId))) return false;
  return !move.staffFrom || move.staffFrom.includes(position.stage);
}

/**
 * The moves this role may make from here, in the file's order (the order of the buttons). A programme move is
 * offered when it can start for at least one of `programmeIds`. Moves only the import makes are never offered.
 */
export function availableMoves(def: PipelineDefinition, position: PipelinePosition, role: Role, programmeIds: readonly string[]): StageMove[] {
  return def.moves.filter(
    (m) =>
      !m.byImport &&
      m.roles.includes(role) &&
      !(m.scope === 'staff' && m.from.includes('none')) &&
      (m.scope === 'staff' ? fromAllows(m, position, undefined) : programmeIds.some((p) => fromAllows(m, position, p))),
  );
}

/** The programmes a programme move may be made for now. */
export function programmesFor(move: StageMove, position: PipelinePosition, programmeIds: readonly string[]): string[] {
  return move.scope === 'programme' ? programmeIds.filter((p) => fromAllows(move, position, p)) : [];
}

export type MoveRefusal =
  | 'unknown_move'
  | 'closed'
  | 'not_from_this_stage'
  | 'not_allowed_for_role'
  | 'needs_import'
  | 'programme_required'
  | 'reason_required'
  | 'requirement_not_met';

export type MoveOutcome =
  | { ok: true; move: StageMove; from: string; to: string; programmeId: string | null; reason: string; effects: readonly PipelineEffect[] }
  | { ok: false; refusal: MoveRefusal; field: string; message: string };

/**
 * Makes a move, or says why not (the field to name and the rule). Evidence values are checked by the caller
 * (their form depends on the request); this checks where the member stands, who is moving them, the reason and
 * the move's requirements on earlier moves.
 */
export function applyStageMove(
  def: PipelineDefinition,
  position: PipelinePosition,
  moveId: string,
  actor: { role: Role },
  input: { programmeId?: string; reason?: string; byImport?: boolean },
): MoveOutcome {
  const refuse = (refusal: MoveRefusal, field: string, message: string): MoveOutcome => ({ ok: false, refusal, field, message });
  const move = def.moves.find((m) => m.id === moveId);
  if (!move) return refuse('unknown_move', 'move', `There is no pipeline move called "${moveId}"`);
  const current = pipelineStage(def, position.stage);
  if (current?.closed) return refuse('closed', 'move', `They are ${current.label.toLowerCase()}: nothing more can be recorded in the pipeline`);
  if (!move.roles.includes(actor.role))
    return refuse('not_allowed_for_role', 'move', `A ${actor.role.replace(/_/g, ' ')} may not "${move.label.toLowerCase()}"`);
  if (move.byImport && !input.byImport) return refuse('needs_import', 'move', `"${move.label}" is recorded only by sotp staff import`);
  const programmeId = move.scope === 'programme' ? input.programmeId?.trim() || undefined : undefined;
  if (move.scope === 'programme' && !programmeId) return refuse('programme_required', 'programmeId', 'Choose the programme');
  if (!fromAllows(move, position, programmeId)) {
    const at = startingStage(move, position, programmeId);
    const where =
      move.scope === 'programme' && at === 'none' ? 'before any training for the programme is recorded' : `while ${stageLabel(def, at).toLowerCase()}`;
    const staffAt = move.staffFrom && !move.staffFrom.includes(position.stage) ? ` (they are ${stageLabel(def, position.stage).toLowerCase()})` : '';
    return refuse('not_from_this_stage', move.scope === 'programme' ? 'programmeId' : 'move', `"${move.label}" cannot be recorded ${where}${staffAt}`);
  }
  const reason = input.reason?.trim() ?? '';
  if (move.reasonRequired && !reason) return refuse('reason_required', 'reason', `Give a reason to "${move.label.toLowerCase()}"`);
  for (const r of move.requires) {
    if (r.kind === 'sign_in' && !position.hasSignIn) return refuse('requirement_not_met', 'move', r.rule);
    if (r.kind === 'evidence') {
      // The latest such move counts: a course failed and retaken with a pass meets the rule, a pass later failed does not.
      const latest = [...position.history].reverse().find((h) => h.moveId === r.move && (!r.sameProgramme || h.programmeId === programmeId));
      if (latest?.evidence[r.field] !== r.equals) return refuse('requirement_not_met', move.scope === 'programme' ? 'programmeId' : 'move', r.rule);
    }
  }
  return { ok: true, move, from: startingStage(move, position, programmeId), to: move.to, programmeId: programmeId ?? null, reason, effects: move.effects };
}

/** The member's stage after a move: every move leads the member there (a programme move too: it is their latest step). */
export function positionAfter(position: PipelinePosition, outcome: Extract<MoveOutcome, { ok: true }>): Pick<PipelinePosition, 'stage' | 'programmeStages'> {
  const programmeStages = { ...position.programmeStages };
  if (outcome.programmeId) programmeStages[outcome.programmeId] = outcome.to;
  // Withdrawal ends every programme's accreditation with it.
  if (outcome.effects.includes('withdraws_accreditations')) for (const p of Object.keys(programmeStages)) programmeStages[p] = outcome.to;
  return { stage: outcome.to, programmeStages };
}

/** The move that puts a person into the pipeline (from "none"). */
export function startingMove(def: PipelineDefinition): StageMove {
  return def.moves.find((m) => m.scope === 'staff' && m.from.includes('none'))!;
}
