// Jest loads global hooks with require(), which cannot load this project's TypeScript (ESM with .js specifiers);
// tsx can. The work is in tier.ts.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { setUpKeycloakTier } = await tsImport('./tier.ts', import.meta.url);
  await setUpKeycloakTier();
}
