// dynamic-dir: the Rust DuckPond factory of the same name. A directory whose entries are dynamic
// nodes listed in its own config, each made by its own factory (`entries: [{name, factory,
// config}]`). Entries may read each other by path (a join reading a synthetic series beside it).
// Their configs are checked with the directory's (ECONFIG naming the entry's path), and each is
// computed and cached on its own (dynamic/children.ts gives them node ids and versions).
import { z } from 'zod';
import { defineFactory } from '../dynamic/factory.ts';
import { VirtualDirectory, VirtualTree } from '../dynamic/virtual-directory.ts';
import { childNodeId } from '../dynamic/children.ts';
import { joinPath, nfc, validateName } from '../tinyfs/path.ts';
import { isPondError, pondError } from '../errors.ts';

const entry = z
  .object({
    /** The entry's name in the directory, in NFC as every stored name (an NFD 'café' is the NFC one). */
    name: z
      .string()
      .trim()
      .min(1, 'an entry needs a name')
      .superRefine((name, ctx) => {
        try {
          validateName(name, name);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: isPondError(e) ? e.message.replace(/^EINVAL: [^:]*: /, '') : String(e) });
        }
      })
      .transform(nfc),
    /** The factory that makes it (any registered factory). */
    factory: z.string().trim().min(1, 'an entry needs a factory'),
    /** That factory's config, checked by that factory. */
    config: z.unknown(),
  })
  .strict();

const schema = z
  .object({
    entries: z.array(entry).min(1, 'entries list cannot be empty'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.entries.forEach((e, i) => {
      if (seen.has(e.name)) ctx.addIssue({ code: 'custom', path: ['entries', i, 'name'], message: `duplicate entry name ${JSON.stringify(e.name)}` });
      seen.add(e.name);
    });
  });

export type DynamicDirConfig = z.infer<typeof schema>;

/** dynamic-dir: a directory of named dynamic nodes, each made by its own factory (Rust's factory). */
export const dynamicDir = defineFactory({
  name: 'dynamic-dir',
  description: 'Dynamic directory that creates entries from factory configurations',
  produces: 'directory',
  schema,
  children: (config) => config.entries.map((e) => ({ name: e.name, factory: e.factory, config: e.config ?? null })),
  async compute(ctx, config) {
    const registry = ctx.registry;
    if (!registry) throw pondError('EFACTORY', ctx.path, 'dynamic-dir needs the factory registry to make its entries');
    // The entries' rows are the directory's own: they live in its partition.
    const { partId } = await ctx.stat(ctx.path);
    const tree = new VirtualTree();
    for (const e of config.entries) {
      const { type } = registry.validate(e.factory, e.config ?? null, joinPath(ctx.path, e.name));
      tree.add([e.name], { nodeId: childNodeId(ctx.nodeId, e.name), partId, type, factory: e.factory }, ctx.path);
    }
    return new VirtualDirectory(tree, ctx.path);
  },
});
