// Shared by every benchmark: prints a markdown table and appends it to bench/RESULTS.md with the date and machine.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { projectPath } from '../src/paths.js';

export function markdownTable(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Prints the section and appends it to bench/RESULTS.md. */
export function reportResults(title: string, body: string): void {
  const section = `\n## ${title}\n\n${new Date().toISOString()} · ${machineDescription()}\n\n${body}\n`;
  process.stdout.write(section);
  const file = projectPath('bench', 'RESULTS.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmark results\n\nEach run appends a section (newest last).\n');
  appendFileSync(file, section);
}
