// Run scripts/build-demo-ponds.ts (TypeScript, through tsx) from plain-JS runners: the e2e runner
// and vitest's browser global setup. Resolves when public/ponds/ is current; rejects with its output.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Build (or confirm current) the demo ponds in public/ponds/. */
export function buildDemoPonds() {
  const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [tsx, join(root, 'scripts/build-demo-ponds.ts')], { cwd: root, timeout: 180_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`building the demo ponds failed: ${stderr || stdout || error.message}`));
      else {
        process.stdout.write(stdout);
        resolvePromise();
      }
    });
  });
}
