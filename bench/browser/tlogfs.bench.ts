/// <reference lib="webworker" />
import { tlogfsSuites } from '../shared/tlogfs.ts';
import { OpfsStore, deleteOpfsPond } from '../../src/core/storage/opfs.ts';

tlogfsSuites({
  label: 'opfs',
  where: 'worker',
  make: async (name) => new OpfsStore(name),
  destroy: (name) => deleteOpfsPond(name),
});
