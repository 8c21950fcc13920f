// The recordings' tus store computes each upload's SHA-256 while it streams in, from the bytes as they reach the
// disk, so finishing an upload need not read the whole file back; a restart loses only the running state.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { RecordingUploadStore } from '../../src/http/recording-upload-store.js';

const folder = mkdtempSync(join(tmpdir(), 'sotp-upload-store-'));
const stores: RecordingUploadStore[] = [];
after(async () => {
  await Promise.all(stores.map((store) => store.close()));
  rmSync(folder, { recursive: true, force: true });
});

const storeOn = (directory: string) => {
  const store = new RecordingUploadStore({ directory });
  stores.push(store);
  return store;
};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** A request's body as it arrives: in pieces of a few KB. */
const body = (bytes: Buffer) => Readable.from(Array.from({ length: Math.ceil(bytes.length / 7000) }, (_, i) => bytes.subarray(i * 7000, (i + 1) * 7000)));

// More than the 8 MB the store lets the hashing worker fall behind by, in uneven PATCHes.
const file = randomBytes(20 * 2 ** 20 + 12345);
const cuts = [0, 3 * 2 ** 20 + 17, 12 * 2 ** 20, file.length];

test('a checksum computed while an upload streams in equals the SHA-256 of the whole file', async () => {
  const store = storeOn(join(folder, 'one'));
  const upload = await store.create(new Upload({ id: 'streamed', size: file.length, offset: 0 }));
  for (let i = 1; i < cuts.length; i++) {
    assert.equal(await store.write(body(file.subarray(cuts[i - 1], cuts[i])), upload.id, cuts[i - 1]), cuts[i]);
  }
  assert.equal(await store.sha256Of(upload.id, file.length), sha256(file));
});

test('an upload resumed after a restart is still verified: the new server hashes the bytes written before it', async () => {
  const directory = join(folder, 'two');
  const before = storeOn(directory);
  const upload = await before.create(new Upload({ id: 'restarted', size: file.length, offset: 0 }));
  await before.write(body(file.subarray(0, cuts[2])), upload.id, 0);
  await before.close();
  const after = storeOn(directory);
  assert.equal((await after.getUpload(upload.id)).offset, cuts[2]);
  await after.write(body(file.subarray(cuts[2])), upload.id, cuts[2]);
  assert.equal(await after.sha256Of(upload.id, file.length), sha256(file));
});

test('a checksum asked for more bytes than the file holds is not given: the upload is then checked by reading it', async () => {
  const store = storeOn(join(folder, 'three'));
  const upload = await store.create(new Upload({ id: 'short', size: file.length, offset: 0 }));
  await store.write(body(file.subarray(0, cuts[1])), upload.id, 0);
  assert.equal(await store.sha256Of(upload.id, file.length), undefined);
});
