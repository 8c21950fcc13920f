// Files sent to the browser to keep (participants' work, pipeline evidence, CSV exports), with the headers they go with.
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';

/** The file name in a Content-Disposition header: an ASCII fallback and the full name encoded (RFC 6266). */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Sends a stored file as a download: its own type and length, never sniffed or cached. */
export function sendDownload(reply: FastifyReply, file: { contentType: string; bytes: number; fileName: string; stream: Readable }) {
  return reply
    .header('content-type', file.contentType)
    .header('content-length', String(file.bytes))
    .header('content-disposition', attachment(file.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(file.stream);
}

/** Sends CSV text made by domain/csv/write.ts as a file to keep, never cached. */
export function sendCsv(reply: FastifyReply, fileName: string, csv: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', attachment(fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(csv);
}
