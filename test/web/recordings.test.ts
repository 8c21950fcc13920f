// Session recordings over real HTTP: tus uploads that resume after a dropped connection and a server restart,
// the checks made when an upload finishes (checksum, a video, the size limit, a failed write), playback with
// Range, audited views, who may upload and watch, and retention's purge.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { londonToday } from '../../src/clock.js';
import { and, desc, eq, gt, isNotNull, lte, max, ne, sql } from 'drizzle-orm';
import { auditLog, groupSessions, recordings, sessionFacilitators, users } from '../../src/db/schema.js';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { purgeExpiredRecordings, recordingsFolder, uploadsFolder } from '../../src/services/recordings.js';
import { dayNumber, isoDate } from '../../src/domain/schedule/calendar.js';
import { loadProgrammeDefinitions } from '../../src/programme-files.js';
import { packageVersion } from '../../src/runtime.js';
import { buildApp } from '../../src/web/app.js';
import { projectPath } from '../../src/paths.js';
import { startTestApp, type TestApp } from '../support/web.js';

const media = (name: string) => readFileSync(projectPath('test', 'fixtures', 'media', name));
const webm = media('clip.webm');
const mp4 = media('clip.mp4');
const sizeLimit = 65_536;

let t: TestApp;
let base: string;
let tokens: Record<string, string>;
/** A session the demo facilitator facilitates, at NGT, and one at SMR. */
let sessionId: number;
let groupId: number;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const b64 = (value: string) => Buffer.from(value).toString('base64');

before(async () => {
  t = await startTestApp({ demo: true, env: { RECORDING_MAX_BYTES: String(sizeLimit) } });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  tokens = {};
  for (const name of ['facilitator', 'facilitator2', 'facilitator4', 'manager', 'auditor']) {
    const [u] = await t.database.db.select({ id: users.id }).from(users).where(eq(users.username, name));
    tokens[name] = await createApiToken(t.database.db, systemActor, u.id, 'recordings test');
  }
  const [row] = await t.database.db
    .select({ sessionId: groupSessions.id, groupId: groupSessions.groupId })
    .from(groupSessions)
    .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
    .innerJoin(users, eq(users.id, sessionFacilitators.userId))
    .where(and(eq(users.username, 'facilitator'), ne(groupSessions.status, 'cancelled'), lte(groupSessions.sessionDate, londonToday())))
    .orderBy(desc(groupSessions.sessionDate))
    .limit(1);
  ({ sessionId, groupId } = row);
});
after(() => t.close());

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

async function tus(url: string, token: string, method: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
  const response = await fetch(url.startsWith('http') ? url : `${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...headers },
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Creates an upload (tus creation) and returns its URL. */
async function create(token: string, length: number, metadata: Record<string, string> = { sessionId: String(sessionId) }, server = base): Promise<string> {
  const answer = await tus(`${server}/api/v1/uploads`, token, 'POST', {
    'upload-length': String(length),
    'upload-metadata': Object.entries(metadata)
      .map(([k, v]) => `${k} ${b64(v)}`)
      .join(','),
  });
  assert.equal(answer.status, 201, answer.body);
  return new URL(answer.headers.get('location')!, `${server}/api/v1/uploads`).toString();
}

const patch = (url: string, token: string, offset: number, bytes: Buffer) =>
  tus(url, token, 'PATCH', { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, bytes);

async function offsetOf(url: string, token: string): Promise<number> {
  const answer = await tus(url, token, 'HEAD');
  assert.equal(answer.status, 200);
  return Number(answer.headers.get('upload-offset'));
}

/** Sends the whole file in one PATCH: the answer of the last, finishing request. */
async function uploadWhole(token: string, bytes: Buffer, metadata?: Record<string, string>): Promise<Answer> {
  const url = await create(token, bytes.length, metadata);
  return patch(url, token, 0, bytes);
}

/** Starts a PATCH of `declared` bytes, sends only `sent` of them and drops the connection, as a failing network does. */
function droppedPatch(url: string, token: string, offset: number, bytes: Buffer, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(bytes.length),
      },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(bytes.subarray(0, sent), () => setImmediate(() => req.destroy()));
  });
}

async function recordingsOfSession(id = sessionId) {
  return t.database.db.select().from(recordings).where(eq(recordings.sessionId, id));
}

async function views(recordingId: number): Promise<number> {
  const [row] = await t.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'recording.viewed'), eq(auditLog.subjectId, String(recordingId))));
  return row.n;
}

/** Waits (by asking the server, not by sleeping) until the upload's offset stops moving after a dropped request. */
async function settledOffset(url: string, token: string): Promise<number> {
  let previous = -1;
  for (let i = 0; i < 50; i++) {
    const offset = await offsetOf(url, token);
    if (offset === previous) return offset;
    previous = offset;
  }
  return previous;
}

test('an interrupted upload resumes at the offset the server holds, and the recording is the whole file', async () => {
  const token = tokens.facilitator;
  const url = await create(token, webm.length);
  assert.equal((await patch(url, token, 0, webm.subarray(0, 4096))).status, 204);
  await droppedPatch(url, token, 4096, webm.subarray(4096), 3000);
  const offset = await settledOffset(url, token);
  assert.ok(offset >= 4096 && offset <= 4096 + 3000, `the server holds what arrived: ${offset}`);
  if (offset !== 4096) assert.equal((await patch(url, token, 4096, webm.subarray(4096))).status, 409, 'a resume from the wrong offset is refused');
  const done = await patch(url, token, offset, webm.subarray(offset));
  assert.equal(done.status, 204, done.body);
  const id = Number(done.headers.get('recording-id'));
  const [row] = await t.database.db.select().from(recordings).where(eq(recordings.id, id));
  assert.equal(row.sha256, sha256(webm));
  assert.equal(row.bytes, webm.length);
  assert.equal(row.mediaType, 'video/webm');
  assert.equal(row.durationMs, 6000, 'the duration is read from the file');
  assert.deepEqual(readFileSync(join(recordingsFolder(t.config.fileStoreDir), row.storedName)), webm);
});

test('an upload carries on after the server restarts: a new app on the same file store resumes it', async () => {
  const token = tokens.facilitator;
  const appOn = async () => {
    const { app } = await buildApp({ database: t.database, config: t.config, programmes: loadProgrammeDefinitions(), version: packageVersion });
    return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
  };
  const first = await appOn();
  const url = await create(token, mp4.length, { sessionId: String(sessionId) }, first.url);
  assert.equal((await patch(url, token, 0, mp4.subarray(0, 5000))).status, 204);
  await first.app.close();
  const second = await appOn();
  try {
    const resumed = url.replace(first.url, second.url);
    assert.equal(await offsetOf(resumed, token), 5000);
    const done = await patch(resumed, token, 5000, mp4.subarray(5000));
    assert.equal(done.status, 204, done.body);
    const [row] = await t.database.db
      .select()
      .from(recordings)
      .where(eq(recordings.id, Number(done.headers.get('recording-id'))));
    assert.equal(row.sha256, sha256(mp4));
    assert.equal(row.mediaType, 'video/mp4');
  } finally {
    await second.app.close();
  }
});

test('an upload whose checksum does not match is discarded and the uploader told', async () => {
  const before = (await recordingsOfSession()).length;
  const answer = await uploadWhole(tokens.facilitator, webm, { sessionId: String(sessionId), sha256: sha256(Buffer.from('something else')) });
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).error.field, 'checksum');
  assert.match(JSON.parse(answer.body).error.message, /does not match its checksum/);
  assert.equal((await recordingsOfSession()).length, before);
  assert.deepEqual(readdirSync(uploadsFolder(t.config.fileStoreDir)), [], 'neither the file nor its upload record is kept');
});

test('a file that is not a video is refused and deleted, whatever it is called', async () => {
  const before = (await recordingsOfSession()).length;
  const answer = await uploadWhole(tokens.facilitator, media('not-a-video.txt'), { sessionId: String(sessionId), filename: 'session.mp4' });
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).error.field, 'file');
  assert.match(JSON.parse(answer.body).error.message, /not a video/);
  assert.equal((await recordingsOfSession()).length, before);
  assert.deepEqual(readdirSync(uploadsFolder(t.config.fileStoreDir)), []);
});

test('an upload larger than the size limit is refused before a byte is sent', async () => {
  const answer = await tus('/api/v1/uploads', tokens.facilitator, 'POST', {
    'upload-length': String(sizeLimit + 1),
    'upload-metadata': `sessionId ${b64(String(sessionId))}`,
  });
  assert.equal(answer.status, 413);
});

test('an upload names its session: a missing or unknown sessionId is refused naming the field', async () => {
  for (const metadata of ['', `sessionId ${b64('abc')}`, `sessionId ${b64('2147483647')}`]) {
    const answer = await tus('/api/v1/uploads', tokens.facilitator, 'POST', { 'upload-length': '10', ...(metadata ? { 'upload-metadata': metadata } : {}) });
    assert.equal(answer.status, 400, metadata);
    assert.equal(JSON.parse(answer.body).error.field, 'sessionId');
  }
});

test('a recording is uploaded only of a session that has happened: one still to come is refused, naming its day', async () => {
  const [future] = await t.database.db
    .select({ id: groupSessions.id })
    .from(groupSessions)
    .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
    .innerJoin(users, eq(users.id, sessionFacilitators.userId))
    .where(and(eq(users.username, 'facilitator'), ne(groupSessions.status, 'cancelled'), gt(groupSessions.sessionDate, londonToday())))
    .limit(1);
  const answer = await tus('/api/v1/uploads', tokens.facilitator, 'POST', { 'upload-length': '10', 'upload-metadata': `sessionId ${b64(String(future.id))}` });
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).error.field, 'sessionId');
  assert.match(JSON.parse(answer.body).error.message, /its recording can be uploaded from that day/);
});

test('a failed write into the file store leaves no recording recorded', async () => {
  const folder = recordingsFolder(t.config.fileStoreDir);
  const before = (await recordingsOfSession()).length;
  // The recordings folder replaced by a file: the move into it fails as a full or broken disk would.
  await rm(folder, { recursive: true, force: true });
  await writeFile(folder, 'not a folder');
  try {
    const answer = await uploadWhole(tokens.facilitator, webm);
    assert.equal(answer.status, 500);
    assert.equal(JSON.parse(answer.body).error.code, 'internal_error');
    assert.equal((await recordingsOfSession()).length, before);
    assert.deepEqual(readdirSync(uploadsFolder(t.config.fileStoreDir)), [], 'no half file is left to look complete');
  } finally {
    await rm(folder, { force: true });
    await mkdir(folder, { recursive: true });
  }
});

test('a Range request is answered 206 with exactly those bytes, and a range outside the file 416', async () => {
  const id = Number((await uploadWhole(tokens.facilitator, webm)).headers.get('recording-id'));
  const ranged = await fetch(`${base}/api/v1/recordings/${id}`, { headers: { authorization: `Bearer ${tokens.manager}`, range: 'bytes=100-1099' } });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get('content-range'), `bytes 100-1099/${webm.length}`);
  assert.equal(ranged.headers.get('accept-ranges'), 'bytes');
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), webm.subarray(100, 1100));
  const tail = await fetch(`${base}/api/v1/recordings/${id}`, { headers: { authorization: `Bearer ${tokens.manager}`, range: 'bytes=-500' } });
  assert.equal(tail.status, 206);
  assert.deepEqual(Buffer.from(await tail.arrayBuffer()), webm.subarray(webm.length - 500));
  const whole = await fetch(`${base}/api/v1/recordings/${id}`, { headers: { authorization: `Bearer ${tokens.manager}` } });
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-type'), 'video/webm');
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), webm);
  const outside = await fetch(`${base}/api/v1/recordings/${id}`, { headers: { authorization: `Bearer ${tokens.manager}`, range: `bytes=${webm.length}-` } });
  assert.equal(outside.status, 416);
  assert.equal(outside.headers.get('content-range'), `bytes */${webm.length}`);
  await outside.arrayBuffer();
});

test('each viewing of a recording is audited once: the request that starts playing, not the seeks', async () => {
  const id = Number((await uploadWhole(tokens.facilitator, webm)).headers.get('recording-id'));
  const get = async (range?: string) => {
    const response = await fetch(`${base}/api/v1/recordings/${id}`, { headers: { authorization: `Bearer ${tokens.auditor}`, ...(range ? { range } : {}) } });
    await response.arrayBuffer();
    return response.status;
  };
  assert.equal(await views(id), 0);
  assert.equal(await get('bytes=0-'), 206);
  assert.equal(await views(id), 1);
  assert.equal(await get('bytes=5000-'), 206);
  assert.equal(await views(id), 1, 'a seek is part of the same viewing');
  const browser = t.client();
  await browser.signIn('facilitator');
  assert.equal((await browser.get(`/recordings/${id}/video`)).statusCode, 200);
  assert.equal(await views(id), 2);
  const [entry] = await t.database.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, 'recording.viewed'))
    .orderBy(sql`seq desc`)
    .limit(1);
  assert.deepEqual(entry.details, { sessionId, via: 'page' });
});

test('a facilitator of another site, or one who did not facilitate the session, may not upload; another site’s may not watch', async () => {
  const create403 = async (token: string) =>
    (await tus('/api/v1/uploads', token, 'POST', { 'upload-length': '100', 'upload-metadata': `sessionId ${b64(String(sessionId))}` })).status;
  assert.equal(await create403(tokens.facilitator2), 403, 'a facilitator at another site');
  const [covering] = await t.database.db
    .select()
    .from(sessionFacilitators)
    .innerJoin(users, eq(users.id, sessionFacilitators.userId))
    .where(and(eq(sessionFacilitators.sessionId, sessionId), eq(users.username, 'facilitator4')));
  assert.equal(covering, undefined, 'the cover facilitator did not take this session');
  assert.equal(await create403(tokens.facilitator4), 403, 'a facilitator of the group who did not facilitate the session');
  assert.equal(await create403(tokens.manager), 201, 'the site’s treatment manager may');
  const id = Number((await uploadWhole(tokens.facilitator, webm)).headers.get('recording-id'));
  const watch = async (token: string) =>
    (await fetch(`${base}/api/v1/recordings/${id}`, { headers: { authorization: `Bearer ${token}`, range: 'bytes=0-9' } })).status;
  assert.equal(await watch(tokens.facilitator2), 403);
  assert.equal(await watch(tokens.facilitator4), 206, 'a facilitator in the group’s team may watch');
  // Another caller may not resume someone else's upload: it does not exist for them.
  const url = await create(tokens.facilitator, webm.length);
  assert.equal((await patch(url, tokens.manager, 0, webm)).status, 404);
});

test('the upload page explains that it needs JavaScript and offers the API; the page upload is refused without the form token', async () => {
  const browser = t.client();
  await browser.signIn('facilitator');
  const page = await browser.get(`/groups/${groupId}/sessions/${sessionId}/recordings`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /This needs JavaScript/);
  assert.match(page.body, /\/api\/v1\/uploads/);
  assert.match(page.body, /<form id="recording-upload" hidden/);
  const refused = await browser.post('/uploads', { _csrf: 'forged' }, { 'tus-resumable': '1.0.0', 'upload-length': '10' });
  assert.equal(refused.statusCode, 403);
});

test('purge deletes only the files of expired recordings no audit sampled; --dry-run deletes nothing; the records stay', async () => {
  const [{ ends }] = await t.database.db
    .select({ ends: max(groupSessions.sessionDate) })
    .from(groupSessions)
    .where(and(eq(groupSessions.groupId, groupId), ne(groupSessions.status, 'cancelled')));
  const kept = Number((await uploadWhole(tokens.facilitator, webm)).headers.get('recording-id'));
  const sampled = Number((await uploadWhole(tokens.facilitator, mp4)).headers.get('recording-id'));
  await t.database.db.update(recordings).set({ auditSampledAt: new Date() }).where(eq(recordings.id, sampled));
  const folder = recordingsFolder(t.config.fileStoreDir);
  const fileOf = async (id: number) => join(folder, (await t.database.db.select().from(recordings).where(eq(recordings.id, id)))[0].storedName);
  const options = { fileStoreDir: t.config.fileStoreDir, retentionDays: 30 };
  const lastKeptDay = isoDate(dayNumber(ends!) + 30);
  const dayAfter = isoDate(dayNumber(ends!) + 31);

  assert.deepEqual(
    await purgeExpiredRecordings(t.database.db, systemActor, { ...options, dryRun: false, today: lastKeptDay }),
    [],
    'nothing is due on its last day',
  );
  const listed = await purgeExpiredRecordings(t.database.db, systemActor, { ...options, dryRun: true, today: dayAfter });
  assert.ok(listed.some((r) => r.id === kept));
  assert.ok(!listed.some((r) => r.id === sampled), 'a recording an audit sampled is never due');
  assert.ok(existsSync(await fileOf(kept)), 'a dry run deletes nothing');
  assert.equal((await t.database.db.select().from(recordings).where(isNotNull(recordings.purgedAt))).length, 0);

  const purged = await purgeExpiredRecordings(t.database.db, systemActor, { ...options, dryRun: false, today: dayAfter });
  assert.deepEqual(
    purged.map((r) => r.id),
    listed.map((r) => r.id),
  );
  assert.ok(!existsSync(await fileOf(kept)));
  assert.ok(existsSync(await fileOf(sampled)));
  const [record] = await t.database.db.select().from(recordings).where(eq(recordings.id, kept));
  assert.ok(record.purgedAt, 'the record stays, marked purged');
  const gone = await fetch(`${base}/api/v1/recordings/${kept}`, { headers: { authorization: `Bearer ${tokens.manager}` } });
  assert.equal(gone.status, 404);
});
