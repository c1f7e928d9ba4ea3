/** Build (or confirm current) the demo ponds in public/ponds/. */
export function buildDemoPonds(): Promise<void>;
