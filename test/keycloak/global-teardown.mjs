import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { tearDownKeycloakTier } = await tsImport('./tier.ts', import.meta.url);
  await tearDownKeycloakTier();
}
