// The floor: a bare Express 5 app answering a small JSON body, the least any Express gateway can cost.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/floor', (_req, res) => {
  res.json({
    user: {
      sub: '6ec4e980-2efc-4d3b-a23e-1019b10f0249',
      username: 'alice',
      email: 'alice@example.test',
      name: 'Alice Liddell',
      roles: ['user'],
    },
  });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
