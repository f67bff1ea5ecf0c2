// The peer: express-openid-connect 3 with a requiresAuth() route, its sessions in the same Redis through connect-redis.
import { RedisStore } from 'connect-redis';
import express from 'express';
import eoc from 'express-openid-connect';
import { createClient } from 'redis';

const { auth, requiresAuth } = eoc;
const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();
const base = `http://127.0.0.1:${process.env.PORT}`;

const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.use(
  auth({
    issuerBaseURL: process.env.ISSUER,
    baseURL: base,
    clientID: 'authgate',
    clientSecret: 'authgate-dev-secret',
    secret: 'a-peer-session-secret-of-at-least-32-characters',
    authRequired: false,
    authorizationParams: { response_type: 'code', scope: 'openid profile email' },
    session: { store: new RedisStore({ client: redis, prefix: 'bench-peer:' }) as never },
  }),
);
app.get('/me', requiresAuth(), (req, res) => {
  res.json({ user: req.oidc.user });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
