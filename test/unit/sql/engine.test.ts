import { createSqlEngine } from '../../../src/core/sql/index.ts';
import { queryBehaviour } from './query-suite.ts';

queryBehaviour('node', () => createSqlEngine());
