// Reads the import statements of sotp's source files, resolving relative imports to paths under src/, for the
// tests that enforce the layering.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface SourceFile {
  /** Relative to the project root, with forward slashes: 'src/web/app.ts'. */
  file: string;
  text: string;
}

export interface SourceImport {
  file: string;
  fromLayer: string;
  line: number;
  specifier: string;
  /** The imported file under src/ ('src/db/connection.ts') for a relative import; null for a package. */
  target: string | null;
}

export function sourceFiles(dir = join(root, 'src')): SourceFile[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    if (!name.endsWith('.ts')) return [];
    return [{ file: relative(root, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }];
  });
}

/** 'src/web/routes/people/index.ts' → 'web'; files directly in src/ → 'root'. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : 'root';
}

/** The feature folder of a web route file ('people', or 'admin/users' for the admin area's features), else null. */
export function routeFeatureOf(file: string): string | null {
  const match = /^src\/web\/routes\/(admin\/[^/]+|[^/]+)\//.exec(file);
  return match ? match[1]! : null;
}

// import … from '…'; export … from '…'; import '…'; import('…') — across lines for the first two.
const staticImport = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*'([^']+)'|(?:^|\n)\s*import\s*'([^']+)'/g;
const dynamicImport = /import\(\s*'([^']+)'\s*\)/g;

export function importsOf({ file, text }: SourceFile): SourceImport[] {
  const found: Array<{ index: number; specifier: string }> = [];
  for (const m of text.matchAll(staticImport)) {
    const leading = m[0].length - m[0].trimStart().length;
    found.push({ index: m.index! + leading, specifier: (m[1] ?? m[2])! });
  }
  for (const m of text.matchAll(dynamicImport)) found.push({ index: m.index!, specifier: m[1]! });
  return found
    .sort((a, b) => a.index - b.index)
    .map(({ index, specifier }) => ({
      file,
      fromLayer: layerOf(file),
      line: text.slice(0, index).split('\n').length,
      specifier,
      target: specifier.startsWith('.') ? posix.join(posix.dirname(file), specifier).replace(/\.js$/, '.ts') : null,
    }));
}
