// Participants' work ("products": written exercises, life maps, relapse-prevention plans): uploaded per man per
// session, its type sniffed from its bytes with file-type (never from its name or the browser's word), kept in
// the file store with the SHA-256 of its bytes, and every download audited.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { and, desc, eq } from 'drizzle-orm';
import { fileTypeFromFile } from 'file-type';
import type { Db, Executor } from '../../db/connection.js';
import { groupSessions, people, products, users } from '../../db/schema.js';
import { megabytes, productType } from '../../domain/delivery/products.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { keepFile, removeFile, storeFolder } from '../file-store.js';
import { requiredId } from '../input-fields.js';
import { loadPersonFor } from '../people.js';
import { validate } from '../validate.js';
import { z } from 'zod';
import { loadSessionFor, menOfGroup } from './sessions.js';

export interface ProductSummary {
  id: number;
  groupId: number;
  sessionId: number;
  sessionNumber: number;
  sessionDate: string;
  personId: number;
  personName: string;
  fileName: string;
  contentType: string;
  bytes: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
}

/** A file received into the file store's incoming folder (see receiveFile), as the upload gives it. */
export interface ReceivedProduct {
  fileName: string;
  path: string;
  bytes: number;
  sha256?: string;
  tooLarge?: boolean;
  writeFailed?: boolean;
}

export interface ProductStore {
  fileStoreDir: string;
  maxBytes: number;
}

const uploadInput = z.object({ personId: requiredId('Choose the man whose work this is') });

/** The name shown and offered on download: the uploaded name without folders or control characters, with the sniffed type's extension. */
export function displayName(uploaded: string, extension: string): string {
  const base = basename(uploaded.replace(/\\/g, '/'))
    .replace(/[\p{Cc}"]/gu, '')
    .replace(/\.[^.]*$/, '')
    .trim()
    .slice(0, 200);
  return `${base || 'work'}.${extension}`;
}

const extensions: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/msword': 'doc',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

/** A received file's sniffed type, or a ValidationFailed on `file` saying why it is refused (the staff pipeline's evidence is checked the same way). */
export async function checkedFile(
  file: ReceivedProduct,
  maxBytes: number,
  field = 'file',
): Promise<{ contentType: string; extension: string; sha256: string }> {
  const refuse = (message: string) => ValidationFailed.one(field, message);
  if (file.tooLarge) throw refuse(`The file must be ${megabytes(maxBytes)} or smaller`);
  if (file.writeFailed) throw refuse('The file could not be stored, so nothing was saved. Try again; if it happens again, tell an administrator');
  if (!file.path) throw refuse('Choose a file to upload');
  if (file.bytes === 0 || !file.sha256) throw refuse('The file is empty');
  const type = productType(await fileTypeFromFile(file.path), file.fileName);
  if ('refused' in type) throw refuse(type.refused);
  return { contentType: type.contentType, extension: extensions[type.contentType], sha256: file.sha256 };
}

/**
 * Records a man's work from a session and moves the received file into the store. When anything fails no record
 * is left: the temporary file is removed, and so is the moved file if the record is not committed.
 */
export async function uploadProduct(
  db: Db,
  actor: Actor,
  groupId: number,
  sessionId: number,
  input: { personId: unknown; file: ReceivedProduct },
  store: ProductStore,
): Promise<{ id: number }> {
  authorise(actor, 'product.upload');
  const folder = storeFolder(store.fileStoreDir, 'products');
  let kept = '';
  try {
    return await db.transaction(async (tx) => {
      const { session, group } = await loadSessionFor(tx, actor, groupId, sessionId, 'product.upload');
      if (session.status === 'cancelled') throw ValidationFailed.one('file', 'This session was cancelled: there is no work from it to upload');
      const { personId } = validate(uploadInput, { personId: input.personId });
      if (!(await menOfGroup(tx, group.id)).some((m) => m.personId === personId)) throw ValidationFailed.one('personId', 'Choose a man in this group');
      const file = await checkedFile(input.file, store.maxBytes);
      const { storageKey, finalPath } = await keepFile(input.file.path, folder.directory, file.extension);
      kept = finalPath;
      const [row] = await tx
        .insert(products)
        .values({
          sessionId: session.id,
          personId,
          fileName: displayName(input.file.fileName, file.extension),
          contentType: file.contentType,
          bytes: input.file.bytes,
          sha256: file.sha256,
          storageKey,
          uploadedBy: actor.userId!,
        })
        .returning({ id: products.id });
      await appendAudit(tx, actor, {
        action: 'product.uploaded',
        subjectType: 'person',
        subjectId: personId,
        siteId: group.siteId,
        details: { productId: row.id, sessionId: session.id, contentType: file.contentType, bytes: input.file.bytes, sha256: file.sha256 },
      });
      return row;
    });
  } catch (error) {
    await removeFile(kept);
    throw error;
  } finally {
    await removeFile(input.file.path);
  }
}

const summaryColumns = {
  id: products.id,
  groupId: groupSessions.groupId,
  sessionId: products.sessionId,
  sessionNumber: groupSessions.number,
  sessionDate: groupSessions.sessionDate,
  personId: products.personId,
  given: people.givenName,
  family: people.familyName,
  fileName: products.fileName,
  contentType: products.contentType,
  bytes: products.bytes,
  sha256: products.sha256,
  uploadedBy: users.displayName,
  uploadedAt: products.createdAt,
};

async function summaries(ex: Executor, where: ReturnType<typeof eq>): Promise<ProductSummary[]> {
  const rows = await ex
    .select(summaryColumns)
    .from(products)
    .innerJoin(groupSessions, eq(groupSessions.id, products.sessionId))
    .innerJoin(people, eq(people.id, products.personId))
    .innerJoin(users, eq(users.id, products.uploadedBy))
    .where(where)
    .orderBy(desc(groupSessions.sessionDate), desc(products.createdAt), desc(products.id));
  return rows.map(({ given, family, ...r }) => ({ ...r, personName: `${given} ${family}` }));
}

/** The work uploaded from a session (the caller has checked access and audits the page). */
export async function productsOfSession(ex: Executor, sessionId: number): Promise<ProductSummary[]> {
  return summaries(ex, eq(products.sessionId, sessionId));
}

/** A man's work from every session, newest first; audited as a read of his record. */
export async function productsOfPerson(db: Db, actor: Actor, personId: number): Promise<ProductSummary[]> {
  authorise(actor, 'product.read');
  return db.transaction(async (tx) => {
    const person = await loadPersonFor(tx, actor, personId, 'product.read');
    const list = await summaries(tx, eq(products.personId, personId));
    await appendAudit(tx, actor, {
      action: 'person.viewed',
      subjectType: 'person',
      subjectId: personId,
      siteId: person.siteId,
      details: { part: 'products', count: list.length },
    });
    return list;
  });
}

export interface ProductDownload {
  fileName: string;
  contentType: string;
  bytes: number;
  stream: Readable;
}

/** Opens a product for download, once the actor may read the session's work; every download is audited. */
export async function downloadProduct(
  db: Db,
  actor: Actor,
  ids: { groupId: number; sessionId: number; productId: number },
  store: Pick<ProductStore, 'fileStoreDir'>,
): Promise<ProductDownload> {
  authorise(actor, 'product.read');
  const product = await db.transaction(async (tx) => {
    const { group } = await loadSessionFor(tx, actor, ids.groupId, ids.sessionId, 'product.read');
    const [row] = await tx
      .select()
      .from(products)
      .where(and(eq(products.id, ids.productId), eq(products.sessionId, ids.sessionId)));
    if (!row) throw new NotFound('Participant’s work');
    const path = join(storeFolder(store.fileStoreDir, 'products').directory, row.storageKey);
    const found = await stat(path).catch(() => null);
    if (!found) throw new NotFound('The stored file');
    await appendAudit(tx, actor, {
      action: 'product.downloaded',
      subjectType: 'person',
      subjectId: row.personId,
      siteId: group.siteId,
      details: { productId: row.id, sessionId: row.sessionId },
    });
    return { row, path, bytes: found.size };
  });
  return { fileName: product.row.fileName, contentType: product.row.contentType, bytes: product.bytes, stream: createReadStream(product.path) };
}
