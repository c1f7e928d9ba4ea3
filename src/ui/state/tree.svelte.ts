/**
 * The Explorer's tree: directories load when expanded (never the whole pond), the visible rows are
 * a flat list (what ARIA tree keyboard navigation walks), and a glob filter replaces the tree with
 * its matches.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { Entry, GlobMatch } from '../../../workers/api.ts';
import { describeError, type ErrorInfo } from '../common/errors.ts';
import type { AppState } from './app.svelte.ts';

/** One visible row of the tree. */
export interface TreeRow {
  entry: Entry;
  depth: number;
  expandable: boolean;
  expanded: boolean;
  /** 1-based position among its siblings, and their count (aria-posinset / aria-setsize). */
  pos: number;
  size: number;
}

type Listing = Entry[] | 'loading' | ErrorInfo;

/** Turn what the user typed into a glob: a bare word finds names containing it anywhere. */
export function filterPattern(text: string): string {
  const t = text.trim();
  if (!t) return '';
  if (t.startsWith('/')) return t;
  return /[*?[{]/.test(t) ? `/**/${t}` : `/**/*${t}*`;
}

export class TreeState {
  readonly expanded = new SvelteSet<string>(['/']);
  readonly listings = new SvelteMap<string, Listing>();
  filter = $state('');
  matches = $state.raw<GlobMatch[] | ErrorInfo | null>(null);
  #filterSeq = 0;

  constructor(private readonly app: AppState) {}

  /** The rows to show: the expanded tree from the root. */
  readonly rows = $derived.by((): TreeRow[] => {
    const out: TreeRow[] = [];
    const walk = (dir: string, depth: number) => {
      const listing = this.listings.get(dir);
      if (!Array.isArray(listing)) return;
      listing.forEach((entry, i) => {
        const expandable = entry.type === 'directory';
        const expanded = expandable && this.expanded.has(entry.path);
        out.push({ entry, depth, expandable, expanded, pos: i + 1, size: listing.length });
        if (expanded) walk(entry.path, depth + 1);
      });
    };
    walk('/', 1);
    return out;
  });

  /** Listing state of a directory (for spinners and errors under it). */
  listing(path: string): Listing | undefined {
    return this.listings.get(path);
  }

  /** Forget everything (another pond or version is open) and load the root. */
  reset(): void {
    this.listings.clear();
    this.expanded.clear();
    this.expanded.add('/');
    void this.load('/');
    if (this.filter) void this.applyFilter(this.filter);
  }

  async load(path: string): Promise<void> {
    if (!this.listings.has(path)) this.listings.set(path, 'loading');
    try {
      this.listings.set(path, await this.app.api.readdir(path));
    } catch (e) {
      this.listings.set(path, describeError(e));
    }
  }

  /** Reload every loaded directory (after a commit); vanished ones drop out. */
  async refresh(): Promise<void> {
    const paths = [...this.listings.keys()];
    await Promise.all(paths.map((p) => (p === '/' || this.expanded.has(p) ? this.load(p) : (this.listings.delete(p), undefined))));
    if (this.filter) await this.applyFilter(this.filter);
  }

  toggle(path: string, open = !this.expanded.has(path)): void {
    if (open) {
      this.expanded.add(path);
      if (!Array.isArray(this.listings.get(path))) void this.load(path);
    } else {
      this.expanded.delete(path);
    }
  }

  /** Expand every ancestor of `path` so that it is visible (selection from a link or search). */
  reveal(path: string): void {
    const parts = path.split('/').filter(Boolean);
    let dir = '';
    for (const part of parts.slice(0, -1)) {
      dir += `/${part}`;
      this.toggle(dir, true);
    }
  }

  async applyFilter(text: string): Promise<void> {
    this.filter = text;
    const seq = ++this.#filterSeq;
    const pattern = filterPattern(text);
    if (!pattern) {
      this.matches = null;
      return;
    }
    try {
      const matches = await this.app.api.glob(pattern);
      if (seq === this.#filterSeq) this.matches = matches;
    } catch (e) {
      if (seq === this.#filterSeq) this.matches = describeError(e);
    }
  }
}
