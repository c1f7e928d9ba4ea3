#!/usr/bin/env node
// Browser and end-to-end tests drive Debian's Chromium (Playwright downloads no browser here).
// Run directly, this exits 1 with one actionable line when it is missing; other scripts import it.
import { accessSync, constants, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Chromium executable the tests use: $CHROME_PATH, else /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROME_PATH || '/usr/bin/chromium';
}

/** Null when Chromium is usable, else the one-line message that says how to get it. */
export function chromiumProblem() {
  const path = chromiumPath();
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    const how = process.env.CHROME_PATH
      ? `point CHROME_PATH at a Chromium executable, or unset it and run: apt-get install -y chromium`
      : `install it with: apt-get install -y chromium   (Debian/Ubuntu; or set CHROME_PATH)`;
    return `Chromium not found at ${path}: browser and e2e tests need it; ${how}`;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problem = chromiumProblem();
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}

/**
 * Flags from DESIGN.md for every Chromium the tools start (e2e, benchmarks): root in a container,
 * no GPU, no background network chatter (the machine's closed network refuses it).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
