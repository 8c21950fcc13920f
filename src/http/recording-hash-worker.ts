// The worker thread that computes uploads' SHA-256 while their bytes stream in, so hashing 1–4 GB does not take
// the server's main thread (which also receives the bytes and answers every other request).
// Messages from the store: { id, bytes } (the next bytes of upload `id`, answered { id, hashed } once taken in,
// which is the store's backpressure), { id, digest: true } (answered { id, sha256 }; the hash is then gone) and
// { id, forget: true }.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export type ToHashWorker = { id: string; bytes: ArrayBuffer } | { id: string; digest: true } | { id: string; forget: true };
export type FromHashWorker = { id: string; hashed: number } | { id: string; sha256: string };

const port = parentPort!;
const hashes = new Map<string, Hash>();

port.on('message', (message: ToHashWorker) => {
  if ('bytes' in message) {
    let hash = hashes.get(message.id);
    if (!hash) hashes.set(message.id, (hash = createHash('sha256')));
    hash.update(new Uint8Array(message.bytes));
    port.postMessage({ id: message.id, hashed: message.bytes.byteLength } satisfies FromHashWorker);
  } else if ('digest' in message) {
    const sha256 = (hashes.get(message.id) ?? createHash('sha256')).digest('hex');
    hashes.delete(message.id);
    port.postMessage({ id: message.id, sha256 } satisfies FromHashWorker);
  } else {
    hashes.delete(message.id);
  }
});
