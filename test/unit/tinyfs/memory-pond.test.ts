import { pondBehaviour } from '../../shared/pond-behaviour.ts';
import { Pond } from '../../../src/core/pond.ts';
import { MemoryPersistence } from '../../shared/memory-persistence.ts';

pondBehaviour('in-memory persistence', async () => new Pond(new MemoryPersistence()));
