// Before the browser tests: the shipped demo pond (public/ponds/demo/, served by vitest's vite
// server) that the published-pond tests open by URL.
import { buildDemoPonds } from '../../scripts/demo-ponds.mjs';

export default async function setup(): Promise<void> {
  await buildDemoPonds();
}
