/** A MemoryBackend that asks the driver (CDP Runtime.getHeapUsage of this realm). */
import type { BackgroundProbe, MemoryBackend, MemoryReading } from '../memory.ts';
import type { HostReply, OwnHostRequest } from './protocol.ts';

export type AskHost = (req: OwnHostRequest) => Promise<HostReply>;

export const CDP_SOURCE = 'cdp:Runtime.getHeapUsage (usedSize + backingStorageSize)';

export function hostMemoryBackend(ask: AskHost): MemoryBackend {
  return {
    source: CDP_SOURCE,
    read: async () => (await ask({ op: 'read' })) as MemoryReading | null,
    async probe(intervalMs: number): Promise<BackgroundProbe> {
      const id = (await ask({ op: 'probe-start', intervalMs })) as number;
      return { stop: async () => (await ask({ op: 'probe-stop', id })) as { peakBytes: number; samples: number } };
    },
  };
}
