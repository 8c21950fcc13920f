// Demo delivery records: a log for every past session of the demo groups, written by one of its facilitators,
// and a little of the men's work (a tiny PDF and PNG made here, so nothing is downloaded). Never in production.
import { Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import { and, asc, eq, inArray, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { groupSessions, sessionFacilitators, sessionLogs, userSites, users } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import type { Actor } from './access.js';
import { uploadProduct } from './delivery/products.js';
import { saveSessionLog } from './delivery/session-logs.js';
import { menOfGroup } from './delivery/sessions.js';
import { receiveFile, storeFolder } from './file-store.js';
import { loadGroup } from './groups/access.js';
import { groupDefinition, londonToday } from './scheduling.js';
import { logPrefill } from '../domain/delivery/session-log.js';

/** A one-page PDF saying `text` (ASCII), with a correct cross-reference table. */
export function tinyPdf(text: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    ((stream) => `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`)(`BT /F1 14 Tf 72 770 Td (${text.replace(/[()\\]/g, '')}) Tj ET`),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A small PNG of one colour (RGB), `size` pixels square. */
export function tinyPng(size = 8, rgb: [number, number, number] = [29, 112, 184]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3).map((_, i) => rgb[i % 3])]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', pixels),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

async function actorOfUser(db: Db, userId: number): Promise<Actor> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  const siteIds = (await db.select({ id: userSites.siteId }).from(userSites).where(eq(userSites.userId, userId))).map((s) => s.id);
  return { userId: user.id, username: user.username, role: user.role as Role, siteIds };
}

/** Logs every past session of the groups that has none; with a file store, uploads work for two men from the first. */
export async function seedDemoWork(db: Db, options: { groupIds: number[]; fileStoreDir?: string; today?: string }): Promise<number> {
  const today = options.today ?? londonToday();
  if (options.groupIds.length === 0) return 0;
  const past = await db
    .select()
    .from(groupSessions)
    .where(and(inArray(groupSessions.groupId, options.groupIds), lt(groupSessions.sessionDate, today), ne(groupSessions.status, 'cancelled')))
    .orderBy(asc(groupSessions.sessionDate));
  const logged = new Set((await db.select({ id: sessionLogs.sessionId }).from(sessionLogs)).map((l) => l.id));
  let written = 0;
  for (const session of past.filter((s) => !logged.has(s.id))) {
    const [facilitator] = await db.select().from(sessionFacilitators).where(eq(sessionFacilitators.sessionId, session.id)).limit(1);
    if (!facilitator) continue;
    const actor = await actorOfUser(db, facilitator.userId);
    const men = await menOfGroup(db, session.groupId);
    const notes = Object.fromEntries(
      men.slice(0, 2).map((m, i) => [`note-${m.personId}`, i === 0 ? 'Contributed well to the discussion.' : 'Quiet today; check in next session.']),
    );
    const { definition } = await groupDefinition(db, await loadGroup(db, session.groupId));
    const planned = logPrefill(definition, session.block);
    const page = {
      version: 0,
      blocksCovered: planned.blocksCovered.map(String),
      targetsCovered: planned.targetsCovered,
      deviations: '',
      incidents: '',
      ...notes,
    };
    // Written as on the day of the session, while the log is open to its facilitators.
    await saveSessionLog(db, actor, session.groupId, session.id, page, session.sessionDate);
    if (written === 0 && options.fileStoreDir && men.length >= 2) {
      const incoming = storeFolder(options.fileStoreDir, 'products').incoming;
      const work: Array<[number, string, Buffer]> = [
        [men[0].personId, 'life-map.pdf', tinyPdf('Life map')],
        [men[1].personId, 'relapse-prevention-plan.png', tinyPng()],
      ];
      for (const [personId, fileName, bytes] of work) {
        const received = await receiveFile(Readable.from([bytes]), incoming, bytes.length);
        await uploadProduct(
          db,
          actor,
          session.groupId,
          session.id,
          { personId, file: { fileName, ...received } },
          { fileStoreDir: options.fileStoreDir, maxBytes: bytes.length },
        );
      }
    }
    written++;
  }
  return written;
}
