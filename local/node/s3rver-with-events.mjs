// s3rver as a library, plus what plain s3rver lacks for the local stack: each S3 event record
// (ObjectCreated:Put/Post/Copy, ObjectRemoved:Delete) is POSTed as an S3 event notification
// ({"Records": [...]}) to a loopback webhook, in order, with retries while the receiver is busy.
// Keys are form-encoded as in AWS notifications (a space is "+").
//
//   node s3rver-with-events.mjs --directory DIR --port N --webhook URL [--buckets a,b,c]
//
// Every bucket gets a CORS configuration so that the web console (console/, served by the local API
// on another loopback port) can PUT uploads and GET videos and results through presigned URLs.
//
// Prints one line "listening <port>" on stdout once the server accepts connections.
import { createRequire } from 'node:module';

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

// One delivery chain keeps events in the order S3 accepted the writes.
let chain = Promise.resolve();
function deliver(event) {
  for (const r of event.Records ?? []) {
    if (r.s3?.object?.key !== undefined) {
      r.s3.object.key = formEncode(r.s3.object.key);
    }
  }
  const body = JSON.stringify(event);
  chain = chain.then(async () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      try {
        const res = await fetch(args.webhook, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (res.ok) {
          return;
        }
      } catch (e) {
        // the receiver is starting or stopping: try again
      }
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * attempt)));
    }
    console.error('s3rver-with-events: dropped an event after 20 attempts: ' + body);
  });
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
