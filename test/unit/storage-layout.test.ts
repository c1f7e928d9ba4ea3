// Upgrades never make local ponds disappear: the layout marker is read before any pond is
// touched, migrations run in order and are resumable, and a newer layout is left alone.
import { describe, it, expect } from 'vitest';
import { memoryBackend } from '../../workers/backends.ts';
import { ensureLayout, memoryLayoutMarker, LAYOUT_VERSION, MIGRATIONS, type Migration } from '../../workers/storage-layout.ts';
import { openPond } from '../../src/core/index.ts';
import { isPondError } from '../../src/core/errors.ts';

async function backendWithPond(name: string) {
  const backend = memoryBackend();
  const pond = await openPond(backend.store(name), { create: true });
  await pond.transact(async (tx) => {
    await tx.writeFile('/kept.txt', new TextEncoder().encode('still here'));
  });
  await pond.close();
  return backend;
}

async function readKept(backend: ReturnType<typeof memoryBackend>, name: string): Promise<string> {
  const pond = await openPond(backend.store(name), { create: false });
  try {
    return new TextDecoder().decode(await pond.readFile('/kept.txt'));
  } finally {
    await pond.close();
  }
}

describe('storage layout', () => {
  it('marks empty storage with the current layout and migrates nothing', async () => {
    const marker = memoryLayoutMarker();
    const report = await ensureLayout(memoryBackend(), marker);
    expect(report).toEqual({ found: null, version: LAYOUT_VERSION, migrated: [] });
    expect(await marker.read()).toBe(LAYOUT_VERSION);
  });

  it('upgrades unmarked ponds of release 0.1 (layout 0) and keeps them', async () => {
    const backend = await backendWithPond('field');
    const marker = memoryLayoutMarker();
    const report = await ensureLayout(backend, marker);
    expect(report.found).toBe(0);
    expect(report.migrated).toEqual(MIGRATIONS.map((m) => m.description));
    expect(await marker.read()).toBe(LAYOUT_VERSION);
    expect(await backend.names()).toEqual(['field']);
    expect(await readKept(backend, 'field')).toBe('still here');
    // A second start finds the current layout: nothing runs again.
    expect((await ensureLayout(backend, marker)).migrated).toEqual([]);
  });

  it('refuses storage written by a newer release without touching it', async () => {
    const backend = await backendWithPond('field');
    const marker = memoryLayoutMarker();
    await marker.write(LAYOUT_VERSION + 1);
    const error = await ensureLayout(backend, marker).catch((e: unknown) => e);
    expect(isPondError(error, 'EUNSUPPORTED')).toBe(true);
    expect((error as Error).message).toMatch(/newer DuckPond.*reload the page/);
    expect(await marker.read()).toBe(LAYOUT_VERSION + 1);
    expect(await readKept(backend, 'field')).toBe('still here');
  });

  it('runs migrations in order and resumes an interrupted upgrade where it stopped', async () => {
    const backend = await backendWithPond('field');
    const marker = memoryLayoutMarker();
    await marker.write(1);
    const ran: string[] = [];
    let failOnce = true;
    const steps: Migration[] = [
      { from: 2, description: 'two to three', run: async () => void ran.push('2->3') },
      { from: 1, description: 'one to two', run: async () => void ran.push('1->2') },
      {
        from: 3,
        description: 'three to four',
        run: async () => {
          if (failOnce) {
            failOnce = false;
            throw new Error('quota exceeded half-way');
          }
          ran.push('3->4');
        },
      },
    ];
    await expect(ensureLayout(backend, marker, steps, 4)).rejects.toThrow('quota exceeded half-way');
    // The steps that finished are recorded; the failed one will run again.
    expect(await marker.read()).toBe(3);
    expect(await ensureLayout(backend, marker, steps, 4)).toEqual({ found: 3, version: 4, migrated: ['three to four'] });
    expect(ran).toEqual(['1->2', '2->3', '3->4']);
    expect(await readKept(backend, 'field')).toBe('still here');
  });

  it('names the marker when a step is missing, and leaves the ponds alone', async () => {
    const backend = await backendWithPond('field');
    const marker = memoryLayoutMarker();
    await marker.write(1);
    const error = await ensureLayout(backend, marker, [], 2).catch((e: unknown) => e);
    expect(isPondError(error, 'EUNSUPPORTED')).toBe(true);
    expect((error as Error).message).toMatch(/no migration from storage layout 1/);
    expect(await marker.read()).toBe(1);
  });
});
