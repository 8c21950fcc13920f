// A facilitator's day: the sessions of his own groups today and this week, each with what is still to record.
import { and, asc, eq, gte, inArray, lte, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { queryRows } from '../../db/connection.js';
import { groupSessions, programmeGroups, programmeVersions, rooms } from '../../db/schema.js';
import type { ProgrammeDefinition } from '../../domain/programme/definition.js';
import { dayNumber, isoDate, weekStart } from '../../domain/schedule/calendar.js';
import { authorise, type Actor } from '../access.js';
import { ownGroupIds } from '../own-groups.js';
import { londonToday } from '../scheduling.js';
import { outstandingRecords, type OutstandingRecord } from './outstanding.js';

export interface DaySession {
  id: number;
  groupId: number;
  groupName: string;
  number: number;
  block: number;
  blockTitle: string;
  date: string;
  start: string;
  end: string;
  roomName: string;
  outstanding: OutstandingRecord[];
}

export interface FacilitatorDay {
  today: string;
  weekStart: string;
  weekEnd: string;
  todaySessions: DaySession[];
  /** The week's other sessions, Monday to Sunday. */
  weekSessions: DaySession[];
}

export async function facilitatorDay(db: Db, actor: Actor, today = londonToday()): Promise<FacilitatorDay> {
  authorise(actor, 'own_week.read');
  const monday = weekStart(dayNumber(today));
  const [first, last] = [isoDate(monday), isoDate(monday + 6)];
  return db.transaction(async (tx) => {
    const own = (await queryRows<{ group_id: number }>(tx, sql`SELECT group_id FROM ${ownGroupIds(actor.userId)} own`)).map((r) => Number(r.group_id));
    const rows = own.length
      ? await tx
          .select({ session: groupSessions, groupName: programmeGroups.name, definition: programmeVersions.definition, roomName: rooms.name })
          .from(groupSessions)
          .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
          .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
          .innerJoin(rooms, eq(rooms.id, groupSessions.roomId))
          .where(
            and(
              inArray(groupSessions.groupId, own),
              gte(groupSessions.sessionDate, first),
              lte(groupSessions.sessionDate, last),
              ne(groupSessions.status, 'cancelled'),
            ),
          )
          .orderBy(asc(groupSessions.sessionDate), asc(groupSessions.startTime), asc(programmeGroups.name))
      : [];
    const outstanding = await outstandingRecords(
      tx,
      rows.map((r) => r.session),
      today,
    );
    const sessions = rows.map(({ session, groupName, definition, roomName }) => ({
      id: session.id,
      groupId: session.groupId,
      groupName,
      number: session.number,
      block: session.block,
      blockTitle: (definition as ProgrammeDefinition).blocks.find((b) => b.number === session.block)?.title ?? '',
      date: session.sessionDate,
      start: session.startTime,
      end: session.endTime,
      roomName,
      outstanding: outstanding.get(session.id) ?? [],
    }));
    return {
      today,
      weekStart: first,
      weekEnd: last,
      todaySessions: sessions.filter((s) => s.date === today),
      weekSessions: sessions.filter((s) => s.date !== today),
    };
  });
}
