/**
 * The demo ponds a deployment ships: `ponds/ponds.json` beside index.html, written at build time
 * by scripts/build-demo-ponds.ts. Each is a published pond the app opens read-only by URL.
 */

export interface ShippedPond {
  name: string;
  title: string;
  /** A few lines: what the demo shows. */
  description: string;
  /** The pond's folder, relative to the page ('ponds/demo/'). */
  path: string;
  /** Its newest version. */
  version?: number;
  /** The path the app shows first. */
  start?: string;
}

/**
 * The shipped demo ponds: none when the deployment ships no ponds.json (404) or lists none; null
 * when it could not be read (offline before anything was cached, a host error, a bad file), so the
 * caller can tell "no demo" from "no answer".
 */
export async function loadShippedPonds(base: string = document.baseURI): Promise<ShippedPond[] | null> {
  try {
    const res = await fetch(new URL('ponds/ponds.json', base));
    if (res.status === 404) return [];
    if (!res.ok) return null;
    const body = (await res.json()) as { ponds?: unknown };
    return Array.isArray(body.ponds) ? body.ponds.filter(isShippedPond) : null;
  } catch {
    return null;
  }
}

function isShippedPond(p: unknown): p is ShippedPond {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.path === 'string' && typeof o.title === 'string' && typeof o.description === 'string';
}

/** The absolute base URL (ending in '/') of a published pond given relative to the page or absolute. */
export function publishedUrl(url: string, base: string = document.baseURI): string {
  const abs = new URL(url, base);
  abs.hash = '';
  abs.search = '';
  if (!abs.pathname.endsWith('/')) abs.pathname += '/';
  return abs.href;
}
