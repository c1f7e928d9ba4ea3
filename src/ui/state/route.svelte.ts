/**
 * The URL is the address of what the user looks at, so that reloading, the back button and a
 * shared link all land on the same view:
 *
 *   [?pond=<published pond URL>]#/<pond>/<path>?at=<version>&view=<area>&sql=<console text>&bind=<name>=<pattern>...
 *
 * A local pond is named by the first hash segment. A published pond (opened by URL, read-only) is
 * named by the `pond` query parameter — the part a static host leaves alone — and the first hash
 * segment is then only its display name.
 */
import { createSubscriber } from 'svelte/reactivity';

/** The areas of the window a link can open. */
export type View = 'browse' | 'sql' | 'history' | 'storage';
const VIEWS: readonly View[] = ['browse', 'sql', 'history', 'storage'];

export interface Location {
  pond: string | null;
  /** A published pond's URL as the link gives it (relative to the page, or absolute); null for local ponds. */
  url: string | null;
  /** Absolute pond path; '/' for the root. */
  path: string;
  /** A version to view read-only, or null for the latest. */
  at: number | null;
  /** The area shown; 'browse' unless the link says otherwise. */
  view: View;
  /** The SQL console's text, when the link carries one. */
  sql: string | null;
  /** The SQL console's table bindings (name -> glob pattern), when the link carries them. */
  bindings: { name: string; pattern: string }[] | null;
}

/** Parse a location (`search` is the page's query, `hash` the fragment: '#/my%20pond/data/x?at=3'). */
export function parseLocation(search: string, hash: string): Location {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const pathPart = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = pathPart.split('/').filter(Boolean).map(safeDecode);
  // Version 0 (the pond's creation) is a version like any other; only digits name one.
  const atText = params.get('at');
  const at = atText !== null && /^\d+$/.test(atText) ? Number(atText) : null;
  const view = params.get('view') as View | null;
  const url = new URLSearchParams(search).get('pond');
  return {
    pond: parts[0] ?? null,
    url: url ? url : null,
    path: '/' + parts.slice(1).join('/'),
    at: at !== null && Number.isSafeInteger(at) ? at : null,
    view: view && VIEWS.includes(view) ? view : 'browse',
    sql: params.get('sql'),
    bindings: params.has('bind') ? params.getAll('bind').map(parseBinding) : null,
  };
}

/** Parse a hash alone (a local pond's location). */
export function parseHash(hash: string): Location {
  return parseLocation('', hash);
}

/** The hash for a location. */
export function formatHash(loc: Location): string {
  const params = new URLSearchParams();
  if (loc.at !== null) params.set('at', String(loc.at));
  if (loc.view !== 'browse') params.set('view', loc.view);
  if (loc.sql) params.set('sql', loc.sql);
  for (const b of loc.bindings ?? []) params.append('bind', `${b.name}=${b.pattern}`);
  const query = params.size ? `?${params}` : '';
  if (!loc.pond) return `#/${query}`;
  const segments = [loc.pond, ...loc.path.split('/').filter(Boolean)].map(encodeURIComponent);
  return `#/${segments.join('/')}${query}`;
}

/** The page's query for a location: `?pond=<url>` for a published pond, else none (other parameters kept). */
export function formatSearch(loc: Location, current: string): string {
  const params = new URLSearchParams(current);
  if (loc.url) params.set('pond', loc.url);
  else params.delete('pond');
  return params.size ? `?${params.toString().replace(/%2F/gi, '/').replace(/%3A/gi, ':')}` : '';
}

function parseBinding(text: string): { name: string; pattern: string } {
  const eq = text.indexOf('=');
  return eq < 0 ? { name: text, pattern: '' } : { name: text.slice(0, eq), pattern: text.slice(eq + 1) };
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
    window.addEventListener('popstate', update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener('popstate', update);
    };
  });
  #replaced = $state(0);

  /** Where the user is (reactive). */
  get current(): Location {
    this.#subscribe();
    void this.#replaced;
    return parseLocation(window.location.search, window.location.hash);
  }

  /** The address of a location, for a link (`next` changes the current one). */
  href(next: Partial<Location>): string {
    const loc = { ...parseLocation(window.location.search, window.location.hash), ...next };
    return `${window.location.pathname}${formatSearch(loc, window.location.search)}${formatHash(loc)}`;
  }

  /** Go to a location: a new history entry, or `replace` the current one (redirects, typing). */
  go(next: Partial<Location>, options: { replace?: boolean } = {}): void {
    const loc = { ...parseLocation(window.location.search, window.location.hash), ...next };
    const search = formatSearch(loc, window.location.search);
    const hash = formatHash(loc);
    if (search === window.location.search && hash === window.location.hash) return;
    const url = `${window.location.pathname}${search}${hash}`;
    if (options.replace) history.replaceState(history.state, '', url);
    else history.pushState(history.state, '', url);
    // Neither call fires hashchange: readers of `current` are told here.
    this.#replaced++;
  }
}
