/**
 * The storage layer: every ObjectStore that runs in a browser or a worker. NodeFsStore is Node-only
 * and is imported by its own path ('./storage/node-fs.ts') so bundles for the browser never see node:fs.
 */
export type { ObjectStore } from './object-store.ts';
export { MemoryStore } from './memory.ts';
export { OpfsStore, listOpfsPonds, deleteOpfsPond, hasSyncAccessHandles } from './opfs.ts';
export { IdbStore, listIdbPonds, deleteIdbPond, IDB_CHUNK } from './idb.ts';
export { FaultInjectingStore, type FaultMode, type FaultOptions } from './fault-injecting.ts';
export type { StoreLockOptions } from './web-lock.ts';
export { isQuotaError } from './common.ts';
export { HttpStore, type HttpStoreOptions } from './http.ts';
export { PUBLISH_INDEX, buildPublishIndex, writePublishIndex, parsePublishIndex, encodePublishIndex, type PublishIndex, type PublishedFile } from './publish-index.ts';
