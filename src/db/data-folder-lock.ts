// An embedded (PGlite) data folder belongs to one process at a time. PGlite is PostgreSQL compiled into
// this process: a second process opening the same files writes past the first, and what it writes is lost
// or breaks the next insert. The lock is a file in the folder naming the process that holds it; a lock
// whose process is gone (killed, crashed) is stale and is taken over.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const lockFileName = 'sotp.lock';

export class DataFolderInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the data folder ${dataDir} is in use by a running sotp (pid ${pid}): stop it, or use the web admin / API`);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still running.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number(JSON.parse(readFileSync(path, 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // gone, or half-written by a process that died while writing it
  }
}

/** Takes the folder's lock for this process, or throws DataFolderInUse. Returns the release function. */
export function lockDataFolder(dataDir: string): () => void {
  const path = join(dataDir, lockFileName);
  const content = JSON.stringify({ pid: process.pid, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, content, { flag: 'wx' }); // exclusive: fails if the file exists
      return () => {
        if (holderOf(path) === process.pid) unlinkSync(path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(path);
    if (holder !== undefined && holder !== process.pid && isRunning(holder)) throw new DataFolderInUse(dataDir, holder);
    if (holder === process.pid) throw new DataFolderInUse(dataDir, holder); // opened twice in one process: a bug
    try {
      unlinkSync(path); // stale: its process is gone
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataFolderInUse(dataDir, holderOf(path) ?? 0);
}
