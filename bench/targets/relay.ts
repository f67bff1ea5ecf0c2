// A bare node:http relay: forwards each request's body to TARGET and hands back the answer, doing nothing else. What
// one extra hop costs on this machine, the least any gateway in front of the IdP can add to a request's latency.
import http from 'node:http';

const target = new URL(process.env.TARGET ?? '');
const agent = new http.Agent({ keepAlive: true });

function readAll(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

http
  .createServer(async (req, res) => {
    if (req.url === '/healthz') return void res.end('{"status":"ok"}');
    const body = await readAll(req);
    const upstream = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': req.headers['content-type'] ?? '', 'content-length': body.length },
      },
      (answer) => {
        void readAll(answer).then((bytes) =>
          res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? '' }).end(bytes),
        );
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
