import { z } from 'zod';
import { defineFactory } from '../dynamic/factory.ts';
import { VirtualDirectory, VirtualTree } from '../dynamic/virtual-directory.ts';
import { ENTRY_TYPES, type EntryType } from '../tinyfs/entry-type.ts';
import { basename, dirname } from '../tinyfs/path.ts';
import { compileGlob, matchPath } from '../tinyfs/glob.ts';
import { pondError } from '../errors.ts';

/** `{0}`, `{1}`, ... (captures), `{name}` (the match's file name), `{stem}` (the name without its last extension). */
const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = /^(\d+|name|stem)$/;

const entryType = z.enum(ENTRY_TYPES as [EntryType, ...EntryType[]]);

const schema = z
  .object({
    /** Glob pattern (absolute, or relative to the node's directory); each `*` and `**` captures. */
    pattern: z.string().min(1),
    filter: z
      .object({
        /** Keep only matches of these entry types (symlinks count as what they point to). */
        types: z.array(entryType).min(1).optional(),
        /** Drop matches whose path matches any of these glob patterns. */
        exclude: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    /**
     * Where each match appears inside this directory: a relative path template. Default `{name}`
     * (a flat listing). `{0}/{name}` puts each match in a subdirectory named by its first capture.
     */
    virtual_structure: z
      .string()
      .min(1)
      .refine((s) => [...s.matchAll(PLACEHOLDER)].every((m) => KNOWN.test(m[1])), {
        message: 'placeholders are {0}, {1}, ... (captures), {name} and {stem}',
      })
      .optional(),
  })
  .strict();

export type DirectoryConfig = z.infer<typeof schema>;

/** directory: a read-only directory of the nodes a pattern matches, optionally regrouped by captures. */
export const directory = defineFactory({
  name: 'directory',
  description: 'A directory listing the nodes a glob pattern matches; virtual_structure builds subdirectories from the captures.',
  produces: 'directory',
  schema,
  async compute(ctx, config) {
    const tree = new VirtualTree();
    const here = dirname(ctx.path);
    const exclude = (config.filter?.exclude ?? []).map((p) => compileGlob(p, here));
    for (const m of await ctx.glob(config.pattern)) {
      if (exclude.some((g) => matchPath(g, m.path) !== null)) continue;
      const info = await ctx.stat(m.path);
      if (config.filter?.types && !config.filter.types.includes(info.type)) continue;
      const rel = expand(config.virtual_structure ?? '{name}', m.path, m.captures, ctx.path);
      tree.add(rel, { nodeId: info.nodeId, partId: info.partId, type: info.type, factory: info.factory }, ctx.path);
    }
    return new VirtualDirectory(tree, ctx.path);
  },
});

/** The path segments a match gets from the template. */
function expand(template: string, path: string, captures: string[], node: string): string[] {
  const name = basename(path);
  const text = template.replace(PLACEHOLDER, (_, key: string) => {
    if (key === 'name') return name;
    if (key === 'stem') return name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
    const i = Number(key);
    if (i >= captures.length)
      throw pondError('EFACTORY', node, `virtual_structure uses {${i}} but ${path} has ${captures.length} capture${captures.length === 1 ? '' : 's'}`);
    return captures[i];
  });
  const segments = text.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw pondError('EFACTORY', node, `virtual_structure gives an empty name for ${path}`);
  return segments;
}
