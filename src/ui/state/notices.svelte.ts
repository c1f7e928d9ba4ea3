/** Messages for the user: errors stay until dismissed, information fades after a few seconds. */
import { describeError, type ErrorInfo } from '../common/errors.ts';

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  title: string;
  error?: ErrorInfo;
}

let nextId = 1;
const INFO_MS = 6000;

export class Notices {
  list = $state.raw<Notice[]>([]);

  info(title: string): void {
    const notice: Notice = { id: nextId++, kind: 'info', title };
    this.list = [...this.list.slice(-4), notice];
    setTimeout(() => this.dismiss(notice.id), INFO_MS);
  }

  /** Show `error` under `title` (what the user was doing). Cancellations are not errors. */
  error(error: unknown, title: string): void {
    if (error instanceof Error && error.name === 'AbortError') return this.info(`${title}: cancelled`);
    this.list = [...this.list.slice(-4), { id: nextId++, kind: 'error', title, error: describeError(error) }];
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
