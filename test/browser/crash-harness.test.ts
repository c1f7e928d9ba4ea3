// Kill the pond's worker at chosen and random points while it commits to OPFS; every reopen must
// find a committed state, byte for byte, and fsck clean (a short run; `npm run bench -- --crash`
// runs a long one). See test/shared/crash-harness.ts for the kinds of kill and what each proves.
import { it, expect } from 'vitest';
import { runCrashHarness, formatCrashReport } from '../shared/crash-harness.ts';

/** `npm run bench` runs a long harness through vite's env; a failing seed can be replayed the same way. */
const KILLS = Number(import.meta.env.VITE_CRASH_KILLS) || 16;
const SEED = Number(import.meta.env.VITE_CRASH_SEED) || 20261124;

it(
  'survives being killed at random points, inside the write included',
  async () => {
    const report = await runCrashHarness({
      kills: KILLS,
      seed: SEED,
      startWorker: () => new Worker(new URL('./crash.worker.ts', import.meta.url), { type: 'module' }),
      log: import.meta.env.VITE_CRASH_VERBOSE ? (line) => console.log(line) : undefined,
    });
    console.log(formatCrashReport(report));
    expect(report.kills).toBe(KILLS);
    // The interesting cases must actually happen, or the test proves little: kills after a commit's
    // data was written and before its log entry was (each checked rolled back as it happened), and
    // in-flight commits that landed.
    expect(report.midWrite).toBeGreaterThanOrEqual(Math.floor(KILLS / 4));
    expect(report.rolledBack).toBeGreaterThanOrEqual(report.midWrite);
    expect(report.landedInFlight).toBeGreaterThanOrEqual(Math.floor(KILLS / 4));
  },
  60 * 60_000,
);
