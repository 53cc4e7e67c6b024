// s3rver as a library, plus what plain s3rver lacks for the local stack: each S3 event record
// (ObjectCreated:Put/Post/Copy, ObjectRemoved:Delete) is POSTed as an S3 event notification
// ({"Records": [...]}) to a loopback webhook, in order, with retries while the receiver is busy.
// Keys are form-encoded as in AWS notifications (a space is "+").
// With --journal DIR every event is written there (fsync, atomic rename) before the request that
// caused it is answered, and removed once the webhook took it: a kill -9 of this process or of the
// receiver loses no event; the next start delivers what the journal holds, oldest first, and keeps
// retrying (the receiver may still be starting) instead of dropping.
//
//   node s3rver-with-events.mjs --directory DIR --port N --webhook URL [--buckets a,b,c] [--journal DIR]
//
// Every bucket gets a CORS configuration so that the web console (console/, served by the local API
// on another loopback port) can PUT uploads and GET videos and results through presigned URLs.
//
// Prints one line "listening <port>" on stdout once the server accepts connections.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
if (!args.directory || !args.webhook) {
  console.error('usage: s3rver-with-events.mjs --directory DIR --port N --webhook URL [--buckets a,b]');
  process.exit(2);
}

// Loopback only, so any origin may call; presigned URLs still carry the signature that authorises a request.
const CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <ExposeHeader>Content-Length</ExposeHeader>
    <ExposeHeader>Content-Range</ExposeHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;
const buckets = (args.buckets ?? '').split(',').filter((b) => b).map((name) => ({ name, configs: [CORS] }));
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(args.port ?? 0),
  directory: args.directory,
  silent: true,
  configureBuckets: buckets,
});

// s3rver reads x-amz-copy-source with decodeURI, which leaves the escapes of reserved characters
// (%23 '#', %2B '+', %24 '$', ...) in the key, so a copy of `a+b#c.mp4` finds no such key. S3 decodes
// the whole header: decoding it here and re-encoding it with encodeURI hands s3rver a value that its
// decodeURI turns back into the exact key. First in the chain: Koa composes its middleware on run().
server.middleware.unshift(async (ctx, next) => {
  const source = ctx.headers['x-amz-copy-source'];
  if (source !== undefined) {
    try {
      ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
    } catch (e) {
      // not valid percent-encoding: left for s3rver to refuse
    }
  }
  await next();
});

function formEncode(key) {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

function fsyncDir(dir) {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch (e) {
    // some file systems refuse to sync folders; the rename is still atomic there
  }
}

let journalSeq = 0;
// Synchronous on purpose: the event is on disk before s3rver answers the request that caused it.
function journalWrite(body) {
  fs.mkdirSync(args.journal, { recursive: true });
  const name = `${String(Date.now()).padStart(13, '0')}-${process.pid}-${String(++journalSeq).padStart(9, '0')}.json`;
  const tmp = path.join(args.journal, `.${name}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  fs.writeSync(fd, body);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  const file = path.join(args.journal, name);
  fs.renameSync(tmp, file);
  fsyncDir(args.journal);
  return file;
}

// One delivery chain keeps events in the order S3 accepted the writes.
let chain = Promise.resolve();
function post(body, file) {
  chain = chain.then(async () => {
    // A journaled event is never dropped (it waits for the receiver); without a journal, 20 attempts.
    for (let attempt = 1; file || attempt <= 20; attempt++) {
      try {
        const res = await fetch(args.webhook, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (res.ok) {
          if (file) {
            fs.rmSync(file, { force: true });
          }
          return;
        }
      } catch (e) {
        // the receiver is starting or stopping: try again
      }
      if (attempt % 50 === 0) {
        console.error(`s3rver-with-events: the webhook has refused an event ${attempt} times; still trying`);
      }
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * attempt)));
    }
    console.error('s3rver-with-events: dropped an event after 20 attempts: ' + body);
  });
}

function deliver(event) {
  for (const r of event.Records ?? []) {
    if (r.s3?.object?.key !== undefined) {
      r.s3.object.key = formEncode(r.s3.object.key);
    }
  }
  const body = JSON.stringify(event);
  post(body, args.journal ? journalWrite(body) : null);
}

// What an earlier process journaled but could not deliver, oldest first.
if (args.journal && fs.existsSync(args.journal)) {
  for (const name of fs.readdirSync(args.journal).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const file = path.join(args.journal, name);
    post(fs.readFileSync(file, 'utf8'), file);
  }
}

server.on('event', deliver);

const address = await server.run();
process.stdout.write(`listening ${address.port}\n`);

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent Java process owns us: when its end of stdin closes (it exited or was killed), stop.
process.stdin.on('end', stop);
process.stdin.resume();
