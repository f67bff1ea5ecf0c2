import { join } from 'node:path';
import express, { Router } from 'express';
import { projectRoot } from '../../support/project-root.js';

/**
 * The demo SPA (examples/spa) and the SDK it uses, bundled for the browser on first request. Development only: it
 * needs esbuild, a development dependency, and a production gateway serves an API, not a demo.
 */
export function demoRoutes(): Router {
  const router = Router();
  const root = projectRoot();
  let bundle: Promise<string> | undefined;

  router.get('/demo/authgate-client.js', async (_req, res) => {
    bundle ??= bundleClient().catch((err: unknown) => {
      bundle = undefined;
      throw err;
    });
    res
      .type('text/javascript')
      .set('Cache-Control', 'no-cache')
      .send(await bundle);
  });
  router.use('/demo', express.static(join(root, 'examples', 'spa'), { index: 'index.html', redirect: true }));
  return router;
}

/** authgate/client as one ES module for the browser (the demo, and the browser tests' own pages). */
export async function bundleClient(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(projectRoot(), 'src', 'client', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}
