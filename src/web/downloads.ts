// Files sent to the browser to keep (participants' work, pipeline evidence): the Content-Disposition they go with.

/** The file name in a Content-Disposition header: an ASCII fallback and the full name encoded (RFC 6266). */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
