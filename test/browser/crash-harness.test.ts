// Kill the pond's worker at random points while it commits to OPFS; every reopen must find a
// committed state, byte for byte, and fsck clean (a short run; `npm run bench` runs a long one).
import { it, expect } from 'vitest';
import { runCrashHarness } from '../shared/crash-harness.ts';

/** `npm run bench` runs a long harness through vite's env; a failing seed can be replayed the same way. */
const KILLS = Number(import.meta.env.VITE_CRASH_KILLS) || 16;
const SEED = Number(import.meta.env.VITE_CRASH_SEED) || 20261124;

it('survives being killed at random points, mid-commit included', async () => {
  const report = await runCrashHarness({
    kills: KILLS,
    seed: SEED,
    startWorker: () => new Worker(new URL('./crash.worker.ts', import.meta.url), { type: 'module' }),
  });
  console.log(`crash harness (seed ${report.seed}): ${report.kills} kills survived, ${report.midCommit} mid-commit (${report.landedInFlight} of those commits landed), ${report.commits} commits, ${report.tornTails} torn tails, ${Math.round(report.ms)} ms`);
  expect(report.kills).toBe(KILLS);
  // The interesting case must actually happen, or the test proves little.
  expect(report.midCommit).toBeGreaterThanOrEqual(KILLS / 4);
  expect(report.commits).toBeGreaterThan(KILLS);
}, 60 * 60_000);
