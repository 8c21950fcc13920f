// The worker thread an import's file check runs on. The import's thread sends the file's text a piece at a
// time ({ piece }, then { end }); each piece is answered with the rows read so far ({ rows }) once it has
// been checked, so at most one piece is in flight and memory stays bounded; the end is answered with the
// whole check ({ check }).
import { parentPort, workerData } from 'node:worker_threads';
import { checkCohortText } from './cohort-file-check.js';

const port = parentPort!;
const arrived: (string | undefined)[] = [];
let wake: (() => void) | undefined;
port.on('message', (message: { piece?: string }) => {
  arrived.push(message.piece);
  wake?.();
});

async function* piecesFromImport(): AsyncGenerator<string> {
  for (;;) {
    while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const piece = arrived.shift();
    if (piece === undefined) return;
    yield piece;
  }
}

const check = await checkCohortText((workerData as { kind: 'comparison' | 'cohort' }).kind, piecesFromImport(), (rows) => port.postMessage({ rows }));
port.postMessage({ check });
port.close();
