// How a definition file's broken field is named in start-up errors: moves[2].roles[0], blocks[3].sessions.
/** A zod issue's path as a field name; '(root)' for the file as a whole. */
export function fieldName(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}
