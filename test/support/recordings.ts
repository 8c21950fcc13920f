// Recordings for tests that need some without uploading files: rows as a finished upload leaves them, for the latest
// sessions of a site that have taken place. A test that plays them gives the file store, and each gets a file.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { and, desc, eq, lte } from 'drizzle-orm';
import type { Db } from '../../src/db/connection.js';
import { groupSessions, programmeGroups, recordings, sessionFacilitators } from '../../src/db/schema.js';
import { recordingsFolder } from '../../src/services/recordings.js';
import { londonToday } from '../../src/services/scheduling.js';

let stored = 0;

/** Records the latest `count` sessions of the site that have happened (one recording each); their ids and days. */
export async function recordPastSessions(
  db: Db,
  siteId: number,
  count: number,
  fileStoreDir?: string,
  /** A real video to store as each recording, for a browser to play; otherwise 1,000 bytes of nothing. */
  sample?: string,
): Promise<Array<{ id: number; date: string }>> {
  const bytes = sample ? await readFile(sample) : Buffer.alloc(1000);
  const sessions = await db
    .selectDistinct({ id: groupSessions.id, date: groupSessions.sessionDate, uploadedBy: sessionFacilitators.userId })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
    .where(and(eq(programmeGroups.siteId, siteId), lte(groupSessions.sessionDate, londonToday())))
    .orderBy(desc(groupSessions.sessionDate), desc(groupSessions.id));
  const chosen = sessions.filter((s, i) => sessions.findIndex((t) => t.id === s.id) === i).slice(0, count);
  if (chosen.length < count) throw new Error(`only ${chosen.length} sessions of site ${siteId} have happened`);
  const made: Array<{ id: number; date: string }> = [];
  for (const s of chosen) {
    stored++;
    const [row] = await db
      .insert(recordings)
      .values({
        sessionId: s.id,
        uploadedBy: s.uploadedBy,
        storedName: `${stored.toString(16).padStart(32, 'e')}.webm`,
        bytes: bytes.length,
        sha256: '0'.repeat(64),
        durationMs: 60_000,
        format: 'webm',
        mediaType: 'video/webm',
      })
      .returning({ id: recordings.id, storedName: recordings.storedName });
    if (fileStoreDir) {
      await mkdir(recordingsFolder(fileStoreDir), { recursive: true });
      await writeFile(join(recordingsFolder(fileStoreDir), row.storedName), bytes);
    }
    made.push({ id: row.id, date: s.date });
  }
  return made;
}
