import { createSqlEngine } from '../../../src/core/sql/index.ts';
import { sandboxBehaviour } from './sandbox-suite.ts';

sandboxBehaviour('node', () => createSqlEngine());
