/**
 * The URL hash is the address of what the user looks at: `#/<pond>/<path>?at=<version>`. Reloading
 * the page, the back button and a shared link all land on the same pond, path and version.
 */
import { createSubscriber } from 'svelte/reactivity';

export interface Location {
  pond: string | null;
  /** Absolute pond path; '/' for the root. */
  path: string;
  /** A version to view read-only, or null for the latest. */
  at: number | null;
}

/** Parse a location hash ('#/my%20pond/data/x?at=3'). */
export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '');
  const [pathPart, query = ''] = raw.split('?', 2);
  const parts = pathPart.split('/').filter(Boolean).map(safeDecode);
  const at = Number(new URLSearchParams(query).get('at'));
  return {
    pond: parts[0] ?? null,
    path: '/' + parts.slice(1).join('/'),
    at: Number.isInteger(at) && at > 0 ? at : null,
  };
}

/** The hash for a location. */
export function formatHash(loc: Location): string {
  if (!loc.pond) return '#/';
  const segments = [loc.pond, ...loc.path.split('/').filter(Boolean)].map(encodeURIComponent);
  return `#/${segments.join('/')}${loc.at !== null ? `?at=${loc.at}` : ''}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class Route {
  #subscribe = createSubscriber((update) => {
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  });
  #replaced = $state(0);

  /** Where the user is (reactive). */
  get current(): Location {
    this.#subscribe();
    void this.#replaced;
    return parseHash(window.location.hash);
  }

  /** Go to a location: a new history entry, or `replace` the current one (redirects). */
  go(next: Partial<Location>, options: { replace?: boolean } = {}): void {
    const loc = { ...parseHash(window.location.hash), ...next };
    const hash = formatHash(loc);
    if (hash === window.location.hash) return;
    if (options.replace) {
      history.replaceState(history.state, '', hash);
      this.#replaced++;
    } else {
      window.location.hash = hash;
    }
  }
}
