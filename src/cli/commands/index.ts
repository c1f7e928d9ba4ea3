/** Every `pond` command, in the order `pond --help` lists them. */
import type { Command } from '../command.ts';
import { apply } from './apply.ts';
import { cat } from './cat.ts';
import { copy } from './copy.ts';
import { describe } from './describe.ts';
import { exportCommand } from './export.ts';
import { fsck } from './fsck.ts';
import { init } from './init.ts';
import { list } from './list.ts';
import { listFactories } from './list-factories.ts';
import { log } from './log.ts';
import { mkdir } from './mkdir.ts';
import { mknod } from './mknod.ts';
import { publish } from './publish.ts';

export const COMMANDS: readonly Command[] = [init, list, cat, describe, mkdir, copy, mknod, apply, listFactories, log, exportCommand, publish, fsck];
