// Dynamic nodes that live inside a dynamic directory's config (dynamic-dir entries): each has its
// own factory and config but no stored row. Their node id names the owner and the entry, and their
// versions are made from the owner's, so TinyFS, the resolver and its cache treat them like any
// other dynamic node (a key per path and config, inputs recorded, cycles caught by node id).
import type { NodeRef, NodeVersion } from '../tinyfs/node.ts';
import type { TinyFs } from '../tinyfs/fs.ts';
import type { FactoryRegistry } from './registry.ts';
import { validateWithSchema } from './config.ts';

/** Separates the owner's node id from an (encoded) entry name. Not in UUIDs, nor in encoded names, nor `#` (subdirectories). */
const CHILD_MARK = '>';

/** The node id of entry `name` of dynamic directory `ownerId`. */
export function childNodeId(ownerId: string, name: string): string {
  return `${ownerId}${CHILD_MARK}${encodeURIComponent(name)}`;
}

/** Owner id and entry name of a child node id; undefined for any other id. */
export function parseChildNodeId(nodeId: string): { ownerId: string; name: string } | undefined {
  const i = nodeId.lastIndexOf(CHILD_MARK);
  if (i < 0 || nodeId.includes('#', i)) return undefined;
  try {
    return { ownerId: nodeId.slice(0, i), name: decodeURIComponent(nodeId.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * The versions of child node `node`: one per version of its owner that holds the entry, carrying
 * the entry's factory and config (JSON). Undefined when `node` is not a child id; an owner version
 * whose config does not validate holds no entry.
 */
export async function childVersions(registry: FactoryRegistry, node: NodeRef, fs: TinyFs): Promise<NodeVersion[] | undefined> {
  const child = parseChildNodeId(node.nodeId);
  if (!child) return undefined;
  const owner = await fs.versionsOf({ ...node, nodeId: child.ownerId, path: node.path.slice(0, node.path.lastIndexOf('/')) || '/' });
  const out: NodeVersion[] = [];
  for (const v of owner) {
    const def = registry.get(v.factory);
    if (!def?.children) continue;
    let entry: { factory: string; config: unknown } | undefined;
    try {
      const text = new TextDecoder().decode(v.content ?? (await fs.persistence.readBody(v, node.path)));
      entry = def.children(validateWithSchema(def.schema, JSON.parse(text), v.factory, node.path)).find((e) => e.name === child.name);
    } catch {
      continue;
    }
    if (!entry) continue;
    const content = new TextEncoder().encode(JSON.stringify(entry.config));
    out.push({
      ...v,
      nodeId: node.nodeId,
      type: node.type,
      factory: entry.factory,
      content,
      sha256: null,
      size: null,
      minEventTime: null,
      maxEventTime: null,
      attributes: {},
    });
  }
  return out;
}
