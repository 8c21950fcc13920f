// The client side of bench/upload.ts, in a process of its own so that its reading and sending are not counted
// against the server's thread: creates the upload (tus POST), sends the file in pieces (PATCH), and prints one
// JSON line with the timings and the last answer. Arguments: a JSON object (see bench/upload.ts).
import { createReadStream } from 'node:fs';
import { request } from 'node:http';

const { port, token, source, bytes, chunk, sessionId, sha256 } = JSON.parse(process.argv[2]);

function send(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...headers } });
    let sentAt = 0;
    req.on('finish', () => (sentAt = performance.now()));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, sentAt }));
    });
    if (body) createReadStream(source, body).pipe(req);
    else req.end();
  });
}

const started = performance.now();
const created = await send('POST', '/api/v1/uploads', {
  'upload-length': String(bytes),
  'upload-metadata': `sessionId ${Buffer.from(String(sessionId)).toString('base64')},sha256 ${Buffer.from(sha256).toString('base64')}`,
});
if (created.status !== 201) throw new Error(`creation answered ${created.status}: ${created.body}`);
const location = String(created.headers.location);
let last;
for (let offset = 0; offset < bytes; offset += chunk) {
  const end = Math.min(bytes, offset + chunk) - 1;
  last = await send(
    'PATCH',
    location,
    { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(end - offset + 1) },
    { start: offset, end },
  );
  if (last.status !== 204) throw new Error(`PATCH at ${offset} answered ${last.status}: ${last.body}`);
}
const answered = performance.now();
console.log(
  JSON.stringify({
    uploadSeconds: (answered - started) / 1000,
    transferSeconds: (last.sentAt - started) / 1000,
    finishSeconds: (answered - last.sentAt) / 1000,
    recordingId: Number(last.headers['recording-id']),
  }),
);
