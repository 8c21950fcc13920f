// File uploads (multipart forms): fields and one file are read into the body before the CSRF check,
// the file as { fileName, content } with its text, so routes and services never see streams.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { maxImportBytes } from '../../services/cohort-imports.js';

export interface UploadedFile {
  fileName: string;
  content: string;
}


export async function uploads(app: FastifyInstance): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxImportBytes, files: 1, fields: 50 },
    async onFile(part) {
      const content = (await part.toBuffer()).toString('utf8');
      (part as unknown as { value: UploadedFile }).value = { fileName: part.filename, content };
    },
  });
}

/** The uploaded file of a form field, or an empty one when none was chosen. */
export function uploadedFile(body: Record<string, unknown>, field: string): UploadedFile {
  const value = body[field] as UploadedFile | undefined;
  return value && typeof value === 'object' && 'content' in value ? value : { fileName: '', content: '' };
}
