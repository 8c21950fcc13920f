// What changed between two versions of a programme definition, field by field, for administrators deciding
// whether to accept a version: blocks, criteria, risk domains and outcome measures are matched by their
// number or id (so a reworded block is "changed", not "removed and added"), and the sessions that move block.
import { sessionBlocks, type ProgrammeDefinition } from './definition.js';

/** A leaf value: what a field holds once nested objects are flattened (lists of words stay whole). */
export type FieldValue = string | number | boolean | ReadonlyArray<string | number> | undefined;

export interface FieldChange {
  /** Where the field is in the file, like `blocks[3].sessions`. */
  path: string;
  /** The field in words, like "Sessions". */
  label: string;
  was: FieldValue;
  now: FieldValue;
}

export interface ItemChange {
  /** The item's number or id, like `3` or `minimum-age`. */
  key: string;
  /** The item in words, from the newer version when it has one. */
  label: string;
  change: 'added' | 'removed' | 'changed';
  /** Every field of an added or removed item; only the changed ones of a changed item. */
  fields: FieldChange[];
}

/** A run of session numbers that belong to another block (or none) in the newer version. */
export interface SessionMove {
  first: number;
  last: number;
  /** undefined when the sessions did not exist in that version. */
  wasBlock: number | undefined;
  nowBlock: number | undefined;
}

export interface ProgrammeComparison {
  programmeId: string;
  /** The later version's name. */
  name: string;
  was: number;
  now: number;
  /** Limits, lengths, names and other single fields. */
  settings: FieldChange[];
  blocks: ItemChange[];
  sessionMoves: SessionMove[];
  eligibilityCriteria: ItemChange[];
  riskDomains: ItemChange[];
  outcomeMeasures: ItemChange[];
  /** The public catalogue entry. */
  catalogue: FieldChange[];
  unchanged: boolean;
}

// Words for the fields whose names do not read well on their own; the rest are their names in words.
const labels: Record<string, string> = {
  $comment: 'Comment',
  id: 'Id',
  shortName: 'Short name',
  effectiveFrom: 'In effect from',
  sessionsPerBlockSource: 'Source of the sessions per block',
  totalSessions: 'Sessions in total',
  sessionMinutes: 'Session length (minutes)',
  maxSessionsPerWeek: 'Most sessions a week',
  maxSessionsPerDay: 'Most sessions a day',
  groupCapacity: 'Most men in a group',
  facilitatorsPerSession: 'Facilitators per session',
  'completionRule.kind': 'Completion rule',
  sessionLogOpenDays: 'Days a session log stays open to its facilitators',
  'completionRule.minutesMissedAllowed': 'Minutes late or leaving early before a session is missed',
  principalTarget: 'Principal target',
  sharedTargetWith: 'Shares its target with blocks',
  includeAttempts: 'Includes attempts',
  years: 'Minimum age (years)',
  threshold: 'IQ above',
  sourceName: 'Name in the source document',
  typeOfIntervention: 'Type of intervention',
  telephoneLabel: 'Telephone label',
};

/** The field in words; the path beside it says where (which block, which target group). */
function labelOf(path: string): string {
  const key = path.replace(/\[\d+\]/g, '');
  const last = key.split('.').at(-1)!;
  const words = labels[key] ?? labels[last] ?? last.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const isLeafList = (value: unknown[]) => value.every((v) => typeof v !== 'object' || v === null);

/** Every leaf of a value by its path; lists of words or numbers are one leaf, lists of objects are indexed. */
function flatten(value: unknown, path: string, into: Map<string, FieldValue>): Map<string, FieldValue> {
  if (Array.isArray(value) && !isLeafList(value)) {
    value.forEach((item, i) => flatten(item, `${path}[${i}]`, into));
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) flatten(item, path ? `${path}.${key}` : key, into);
  } else {
    into.set(path, value as FieldValue);
  }
  return into;
}

const same = (a: FieldValue, b: FieldValue) => JSON.stringify(a) === JSON.stringify(b);

/** The fields that differ, in the order they appear (the newer version's order, then fields only the older has). */
function fieldChanges(was: unknown, now: unknown, path: string): FieldChange[] {
  const before = was === undefined ? new Map<string, FieldValue>() : flatten(was, path, new Map());
  const after = now === undefined ? new Map<string, FieldValue>() : flatten(now, path, new Map());
  const paths = [...new Set([...after.keys(), ...before.keys()])];
  return paths.filter((p) => !same(before.get(p), after.get(p))).map((p) => ({ path: p, label: labelOf(p), was: before.get(p), now: after.get(p) }));
}

/** Items of a list matched by key: added, removed or changed, in the newer version's order then removed ones. */
function itemChanges<T>(was: readonly T[], now: readonly T[], listPath: string, key: (item: T) => string, label: (item: T) => string): ItemChange[] {
  const before = new Map(was.map((item, i) => [key(item), { item, i }]));
  const after = new Map(now.map((item, i) => [key(item), { item, i }]));
  const changes: ItemChange[] = [];
  for (const [k, { item, i }] of after) {
    const old = before.get(k);
    const fields = fieldChanges(old?.item, item, `${listPath}[${i}]`);
    if (!old) changes.push({ key: k, label: label(item), change: 'added', fields });
    else if (fields.length) changes.push({ key: k, label: label(item), change: 'changed', fields });
  }
  for (const [k, { item, i }] of before) {
    if (!after.has(k)) changes.push({ key: k, label: label(item), change: 'removed', fields: fieldChanges(item, undefined, `${listPath}[${i}]`) });
  }
  return changes;
}

/** Runs of consecutive session numbers whose block differs between the versions. */
function sessionMoves(was: ProgrammeDefinition, now: ProgrammeDefinition): SessionMove[] {
  const before = sessionBlocks(was);
  const after = sessionBlocks(now);
  const moves: SessionMove[] = [];
  for (let n = 1; n <= Math.max(before.length, after.length); n++) {
    const wasBlock = before[n - 1];
    const nowBlock = after[n - 1];
    if (wasBlock === nowBlock) continue;
    const previous = moves.at(-1);
    if (previous && previous.last === n - 1 && previous.wasBlock === wasBlock && previous.nowBlock === nowBlock) previous.last = n;
    else moves.push({ first: n, last: n, wasBlock, nowBlock });
  }
  return moves;
}

const listed = new Set(['blocks', 'eligibility', 'riskDomains', 'outcomeMeasures', 'catalogue']);

/** The differences from version `was` to version `now` of one programme. */
export function compareProgrammeVersions(was: ProgrammeDefinition, now: ProgrammeDefinition): ProgrammeComparison {
  const settingsOf = (def: ProgrammeDefinition) => Object.fromEntries(Object.entries(def).filter(([k]) => !listed.has(k) && k !== 'version'));
  const comparison = {
    programmeId: now.id,
    name: now.name,
    was: was.version,
    now: now.version,
    settings: fieldChanges(settingsOf(was), settingsOf(now), ''),
    blocks: itemChanges(
      was.blocks,
      now.blocks,
      'blocks',
      (b) => String(b.number),
      (b) => `Block ${b.number}: ${b.title}`,
    ),
    sessionMoves: sessionMoves(was, now),
    eligibilityCriteria: itemChanges(
      was.eligibility.criteria,
      now.eligibility.criteria,
      'eligibility.criteria',
      (c) => c.id,
      (c) => c.description,
    ),
    riskDomains: itemChanges(
      was.riskDomains,
      now.riskDomains,
      'riskDomains',
      (d) => d.id,
      (d) => d.name,
    ),
    outcomeMeasures: itemChanges(
      was.outcomeMeasures,
      now.outcomeMeasures,
      'outcomeMeasures',
      (m) => m.id,
      (m) => m.name,
    ),
    catalogue: fieldChanges(was.catalogue, now.catalogue, 'catalogue'),
  };
  const { settings, blocks, sessionMoves: moves, eligibilityCriteria, riskDomains, outcomeMeasures, catalogue } = comparison;
  const unchanged = [settings, blocks, moves, eligibilityCriteria, riskDomains, outcomeMeasures, catalogue].every((list) => list.length === 0);
  return { ...comparison, unchanged };
}
