// `sotp staff import`: an existing staff list with the accreditations its facilitators hold from before sotp.
// Columns: username (a facilitator's sign-in), display_name, site_code, programme_id, accredited_on (YYYY-MM-DD).
// All or nothing: every line is checked first and every problem named by its line; then, in one transaction, each
// facilitator without a pipeline record gets one, and each accreditation not yet recorded is recorded as the
// pipeline's import move (the file and line as its evidence) and granted. A line already recorded changes nothing,
// so running the same file twice changes nothing the second time.
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { sites, staffMembers, staffProgrammeStages, users } from '../../db/schema.js';
import { isCalendarDate } from '../../domain/people/dates.js';
import { nulProblems, syntaxProblem } from '../../domain/evaluation/csv-problems.js';
import { facilitatorPipeline } from '../../pipeline-files.js';
import { londonToday } from '../../clock.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { problemsAsFieldErrors } from '../cohort-file-check.js';
import { ValidationFailed } from '../errors.js';
import { currentProgrammeDefinitions } from '../programmes.js';
import { recordImportedMove } from './pipeline.js';

export const staffImportColumns = ['username', 'display_name', 'site_code', 'programme_id', 'accredited_on'] as const;

export interface StaffImportResult {
  staffAdded: number;
  accreditationsRecorded: number;
  linesUnchanged: number;
}

interface Line {
  line: number;
  userId: number;
  username: string;
  displayName: string;
  siteId: number;
  programmeId: string;
  accreditedOn: string;
}

type Problem = { line: number; field: string; reason: string };

async function checkedLines(db: Db, content: string, today: string): Promise<Line[]> {
  const unstorable = nulProblems(content);
  if (unstorable.length) throw new ValidationFailed(problemsAsFieldErrors(unstorable));
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(content, { columns: true, bom: true, trim: true, skip_empty_lines: true, info: true });
  } catch (error) {
    throw new ValidationFailed(problemsAsFieldErrors([syntaxProblem(error, content) ?? { line: 1, field: 'file', reason: 'the file is not valid CSV' }]));
  }
  const columns = records.length ? Object.keys(records[0].record) : [];
  const missing = staffImportColumns.filter((c) => !columns.includes(c));
  if (records.length === 0) throw ValidationFailed.one('file', `The file has no rows: it needs the columns ${staffImportColumns.join(', ')}`);
  if (missing.length) throw ValidationFailed.one('file', `The file needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const siteIds = new Map((await db.select().from(sites)).map((s) => [s.code.toUpperCase(), s.id]));
  const programmeIds = new Set((await currentProgrammeDefinitions(db)).map((p) => p.id));
  const accounts = new Map((await db.select().from(users)).map((u) => [u.username, u]));
  const problems: Problem[] = [];
  const lines: Line[] = [];
  const firstOf = new Map<string, Line>();
  const seen = new Set<string>();
  for (const { record: r, info } of records) {
    const line = info.lines;
    const before = problems.length;
    const problem = (field: string, reason: string) => problems.push({ line, field, reason });
    const user = accounts.get(r.username);
    if (!r.username) problem('username', 'is empty: give the facilitator’s sign-in name');
    else if (!user) problem('username', `no sign-in is called "${r.username}"`);
    else if (user.role !== 'facilitator') problem('username', `"${r.username}" is not a facilitator’s sign-in`);
    if (!r.display_name) problem('display_name', 'is empty');
    else if (r.display_name.length > 200) problem('display_name', 'is longer than 200 characters');
    const siteId = siteIds.get(r.site_code.toUpperCase());
    if (siteId === undefined) problem('site_code', `no site has the code "${r.site_code}"`);
    if (!programmeIds.has(r.programme_id)) problem('programme_id', `there is no programme "${r.programme_id}"`);
    if (!isCalendarDate(r.accredited_on)) problem('accredited_on', 'must be a real date in the form YYYY-MM-DD');
    else if (r.accredited_on > today) problem('accredited_on', 'cannot be in the future');
    const key = `${r.username}\u0000${r.programme_id}`;
    if (seen.has(key)) problem('programme_id', `${r.username} is accredited for ${r.programme_id} on an earlier line already`);
    seen.add(key);
    const earlier = firstOf.get(r.username);
    if (earlier && (earlier.displayName !== r.display_name || earlier.siteId !== siteId)) {
      problem('display_name', `${r.username} has another name or site on line ${earlier.line}: one person, one name and site`);
    }
    if (problems.length > before || !user || siteId === undefined) continue;
    const parsed: Line = {
      line,
      userId: user.id,
      username: r.username,
      displayName: r.display_name,
      siteId,
      programmeId: r.programme_id,
      accreditedOn: r.accredited_on,
    };
    firstOf.set(r.username, firstOf.get(r.username) ?? parsed);
    lines.push(parsed);
  }
  if (problems.length) throw new ValidationFailed(problemsAsFieldErrors(problems));
  return lines;
}

export async function importStaff(db: Db, actor: Actor, input: { fileName: string; content: string }, today = londonToday()): Promise<StaffImportResult> {
  authorise(actor, 'staff.import');
  const lines = await checkedLines(db, input.content, today);
  const move = facilitatorPipeline().moves.find((m) => m.byImport);
  if (!move) throw ValidationFailed.one('file', 'The facilitator pipeline has no move for accreditations from before sotp');
  return db.transaction(async (tx) => {
    const result: StaffImportResult = { staffAdded: 0, accreditationsRecorded: 0, linesUnchanged: 0 };
    for (const line of lines) {
      let [member] = await tx.select().from(staffMembers).where(eq(staffMembers.userId, line.userId));
      if (!member) {
        [member] = await tx.insert(staffMembers).values({ displayName: line.displayName, siteId: line.siteId, userId: line.userId, stage: 'none' }).returning();
        result.staffAdded++;
      }
      const [recorded] = await tx
        .select()
        .from(staffProgrammeStages)
        .where(and(eq(staffProgrammeStages.staffMemberId, member.id), eq(staffProgrammeStages.programmeId, line.programmeId)));
      if (recorded) {
        result.linesUnchanged++;
        continue;
      }
      await recordImportedMove(
        tx,
        actor,
        member,
        move.id,
        { programmeId: line.programmeId, accreditedOn: line.accreditedOn, importFile: input.fileName, importLine: String(line.line) },
        today,
      );
      result.accreditationsRecorded++;
    }
    if (result.staffAdded || result.accreditationsRecorded) {
      await appendAudit(tx, actor, { action: 'staff.imported', subjectType: 'staff_import', details: { ...result, lines: lines.length } });
    }
    return result;
  });
}
