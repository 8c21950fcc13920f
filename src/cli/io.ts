// Input and output helpers shared by the `sotp` commands: JSON from stdin or --input, JSON to stdout.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { BadInput } from './errors.js';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads JSON from the --input file when given, else from stdin; bad JSON is bad input. */
export async function readJsonInput(inputFile?: string): Promise<unknown> {
  let text: string;
  if (inputFile) {
    try {
      text = await readFile(inputFile, 'utf8');
    } catch {
      throw new BadInput(`--input: cannot read file ${inputFile}`);
    }
  } else {
    text = await readStdin();
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInput(`input: not valid JSON (${(error as Error).message})`);
  }
}

/** Turns a zod failure into bad input naming the first field that is wrong. */
export function parseOrBadInput<T>(schema: z.ZodType<T>, value: unknown, what = 'input'): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join('.') : what;
  throw new BadInput(`${field}: ${issue.message}`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
