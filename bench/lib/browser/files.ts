/**
 * Every browser bench file, lazily (one chunk each). The page and the workers each import this,
 * so vite bundles the bench files into both graphs.
 */
export const benchModules: Record<string, () => Promise<unknown>> = import.meta.glob('../../browser/*.bench.ts');

/** '../../browser/x.bench.ts' -> 'bench/browser/x.bench.ts' (the path the report shows). */
export function repoPath(key: string): string {
  return `bench/browser/${key.slice(key.lastIndexOf('/') + 1)}`;
}
