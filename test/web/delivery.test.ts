// Session logs and participants' work through the real app: pages, real multipart uploads with real file bytes,
// downloads, and the caseload restriction as a facilitator meets it on pages and in the API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { and, desc, eq, gt, isNull, notInArray } from 'drizzle-orm';
import { auditLog, groupMembers, groupSessions, people, products, programmeGroups, sessionFacilitators, sites, users } from '../../src/db/schema.js';
import { tinyPdf, tinyPng } from '../../src/services/demo-work.js';
import { londonToday } from '../../src/services/scheduling.js';
import { callersFor } from '../support/access.js';
import { errorSummary, startTestApp, type TestApp, type TestClient } from '../support/web.js';

const maxBytes = 1024 * 1024;
let t: TestApp;
let store: string;
let facilitator: TestClient;
let facilitatorToken: string;
let groupId: number;
let sessionId: number;
let member: number;
let outsider: number;
let logUrl: string;
let uploadUrl: string;

/** A Word document (.docx) as Word writes one: a zip of the content types, the package relations and word/document.xml. */
function docx(): Buffer {
  const entries: Array<[string, string]> = [
    [
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ],
    [
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ],
    [
      'word/document.xml',
      '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>My relapse prevention plan</w:t></w:r></w:p></w:body></w:document>',
    ],
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A Windows program: the MZ header, and a PE header where the MZ header says it is. */
function windowsProgram(): Buffer {
  const bytes = Buffer.alloc(1024);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x80, 0x3c);
  bytes.write('PE\0\0', 0x80, 'latin1');
  return bytes;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const productCount = async () => (await t.database.db.select({ id: products.id }).from(products)).length;
const incomingFiles = () => readdirSync(join(store, 'products', '.incoming'));

async function upload(name: string, content: Buffer, contentType: string, personId = member) {
  await facilitator.get(logUrl);
  return facilitator.postFile(uploadUrl, { personId: String(personId) }, { field: 'file', name, content, contentType });
}

before(async () => {
  store = mkdtempSync(join(tmpdir(), 'sotp-file-store-'));
  t = await startTestApp({ demo: true, env: { FILE_STORE_DIR: store, PRODUCT_MAX_BYTES: String(maxBytes) } });
  const { db } = t.database;
  const [ngt] = await db.select().from(sites).where(eq(sites.code, 'NGT'));
  const [user] = await db.select().from(users).where(eq(users.username, 'facilitator'));
  const [group] = await db.select().from(programmeGroups).where(eq(programmeGroups.siteId, ngt.id));
  groupId = group.id;
  // One of his sessions still to come (the demo's past sessions have their logs), moved to today: it has taken
  // place (or is taking place), so its log is written today.
  const [session] = await db
    .select({ id: groupSessions.id })
    .from(groupSessions)
    .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
    .where(and(eq(groupSessions.groupId, group.id), eq(sessionFacilitators.userId, user.id), gt(groupSessions.sessionDate, londonToday())))
    .orderBy(groupSessions.number)
    .limit(1);
  sessionId = session.id;
  await db.update(groupSessions).set({ sessionDate: londonToday() }).where(eq(groupSessions.id, sessionId));
  const members = await db
    .select({ personId: groupMembers.personId })
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, group.id), isNull(groupMembers.leftAt)));
  member = members[0].personId;
  const [other] = await db
    .select({ id: people.id })
    .from(people)
    .where(
      and(
        eq(people.siteId, ngt.id),
        notInArray(
          people.id,
          members.map((m) => m.personId),
        ),
      ),
    )
    .limit(1);
  outsider = other.id;
  logUrl = `/groups/${groupId}/sessions/${sessionId}/log`;
  uploadUrl = `/groups/${groupId}/sessions/${sessionId}/products`;
  const caller = (await callersFor(t, ['facilitator'])).get('facilitator')!;
  facilitator = caller.client;
  facilitatorToken = caller.token;
});
after(async () => {
  await t.close();
  rmSync(store, { recursive: true, force: true });
});

test('a facilitator gets 403 for a man at his site who is not in his groups, on his page and in the API, and the caseload leaves him out', async () => {
  assert.equal((await facilitator.get(`/people/${member}`)).statusCode, 200);
  assert.equal((await facilitator.get(`/people/${outsider}`)).statusCode, 403);
  const api = (id: number) => t.app.inject({ url: `/api/v1/people/${id}`, headers: { authorization: `Bearer ${facilitatorToken}` } });
  assert.equal((await api(member)).statusCode, 200);
  assert.equal((await api(outsider)).statusCode, 403);
  const caseload = await facilitator.get('/caseload');
  assert.equal(caseload.statusCode, 200);
  assert.doesNotMatch(caseload.body, new RegExp(`href="/people/${outsider}"`));
  assert.equal((await facilitator.get('/waitlist')).statusCode, 403, 'the waitlist is of men in no group yet');
});

test('the facilitator’s home page lists today’s session of his group with its log still to record', async () => {
  const home = (await facilitator.get('/')).body;
  assert.match(home, /Today’s sessions/);
  assert.match(home, new RegExp(`href="${logUrl}"`));
});

test('a session log form names the field in the error summary, and a saved log is shown after a redirect', async () => {
  const form = await facilitator.get(logUrl);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /name="targetsCovered"/);
  const refused = await facilitator.post(logUrl, { version: '0', blocksCovered: '1', targetsCovered: '' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), ['Enter the targets covered']);
  assert.match(refused.body, /href="#targetsCovered"/);
  const saved = await facilitator.post(logUrl, {
    version: '0',
    blocksCovered: '1',
    targetsCovered: 'Group rules agreed',
    [`note-${member}`]: 'Settled in well',
  });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, logUrl);
  const page = await facilitator.get(logUrl);
  assert.match(page.body, /The session log was saved/);
  assert.match(page.body, /Settled in well/);
  const stale = await facilitator.post(logUrl, { version: '0', blocksCovered: '1', targetsCovered: 'Again' });
  assert.equal(stale.statusCode, 409);
});

test('participants’ work is kept when its bytes are a PDF, a Word document or an image, whatever the name says', async () => {
  const before = await productCount();
  for (const [name, bytes, type] of [
    ['life-map.pdf', tinyPdf('Life map'), 'application/pdf'],
    ['drawing.png', tinyPng(), 'image/png'],
    ['plan.docx', docx(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    // The browser's word and the name are ignored: these bytes are a PNG.
    ['scan.pdf', tinyPng(4), 'application/pdf'],
  ] as const) {
    const response = await upload(name, bytes, type);
    assert.equal(response.statusCode, 303, `${name}: ${errorSummary(response.body).join('; ')}`);
  }
  const kept = await t.database.db.select().from(products).orderBy(desc(products.id)).limit(4);
  assert.deepEqual(kept.map((p) => p.contentType).reverse(), [
    'application/pdf',
    'image/png',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'image/png',
  ]);
  assert.equal(kept[0].fileName, 'scan.png');
  assert.equal(await productCount(), before + 4);
});

test('a program renamed .pdf is refused with a clear message and nothing is kept', async () => {
  const before = await productCount();
  const response = await upload('homework.pdf', windowsProgram(), 'application/pdf');
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), [
    'The file’s contents are EXE, whatever its name: upload a PDF, a Word document (.docx or .doc), or a PNG or JPEG image',
  ]);
  assert.match(response.body, /href="#file"/);
  assert.equal(await productCount(), before);
  assert.deepEqual(incomingFiles(), []);
});

test('a file over the configured size limit is refused, naming the limit, and nothing is kept', async () => {
  const before = await productCount();
  const large = Buffer.concat([tinyPdf('Large'), Buffer.alloc(maxBytes)]);
  const response = await upload('big.pdf', large, 'application/pdf');
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), ['The file must be 1 MB or smaller']);
  assert.equal(await productCount(), before);
  assert.deepEqual(incomingFiles(), []);
});

test('the SHA-256 stored is that of the file’s bytes, and the stored file is those bytes', async () => {
  const bytes = tinyPdf('Relapse prevention plan');
  assert.equal((await upload('plan.pdf', bytes, 'application/pdf')).statusCode, 303);
  const [row] = await t.database.db.select().from(products).orderBy(desc(products.id)).limit(1);
  assert.equal(row.sha256, sha256(bytes));
  assert.equal(row.bytes, bytes.length);
  assert.deepEqual(readFileSync(join(store, 'products', row.storageKey)), bytes);
});

test('a download is audited and sent as an attachment of the sniffed type, never sniffed by the browser or cached', async () => {
  const bytes = tinyPng(6);
  assert.equal((await upload('map.jpeg', bytes, 'image/jpeg')).statusCode, 303);
  const [row] = await t.database.db.select().from(products).orderBy(desc(products.id)).limit(1);
  const response = await facilitator.get(`/groups/${groupId}/sessions/${sessionId}/products/${row.id}`);
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'image/png');
  assert.match(String(response.headers['content-disposition']), /^attachment; filename="map\.png"/);
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.equal(response.headers['cache-control'], 'no-store');
  assert.deepEqual(response.rawPayload, bytes);
  const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'product.downloaded')).orderBy(desc(auditLog.seq)).limit(1);
  assert.deepEqual(entry.details, { productId: row.id, sessionId });
  assert.equal(entry.actor, 'facilitator');
  // The session page and the man's page list it.
  assert.match((await facilitator.get(logUrl)).body, /map\.png/);
  assert.match((await facilitator.get(`/people/${row.personId}`)).body, /map\.png/);
});

test('a file the store cannot write leaves no record and no temporary file', async () => {
  const before = await productCount();
  const incoming = join(store, 'products', '.incoming');
  // The store's incoming folder replaced by a file: every write into it fails, as on a full or broken disk.
  rmSync(incoming, { recursive: true, force: true });
  mkdirSync(join(store, 'products'), { recursive: true });
  writeFileSync(incoming, '');
  try {
    const response = await upload('plan.pdf', tinyPdf('Plan'), 'application/pdf');
    assert.equal(response.statusCode, 400);
    assert.match(errorSummary(response.body)[0], /could not be stored, so nothing was saved/);
    assert.equal(await productCount(), before);
  } finally {
    rmSync(incoming, { force: true });
  }
  assert.deepEqual(
    readdirSync(join(store, 'products')).filter((f) => f.endsWith('.part')),
    [],
  );
});
