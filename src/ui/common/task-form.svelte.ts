/** A dialog form that submits one task: busy while it runs, the error it ended with. */
import { describeError, type ErrorInfo } from './errors.ts';

export class TaskForm {
  busy = $state(false);
  error = $state.raw<ErrorInfo | null>(null);

  /** `task` does the work and whatever follows success (closing the dialog); a throw becomes `error`. */
  constructor(private readonly task: () => Promise<void>) {}

  /** Runs the task: clears the last error, marks the form busy until it settles. */
  async run(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await this.task();
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.busy = false;
    }
  }

  /** The form's onsubmit handler: no page load, then `run`. */
  readonly submit = (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    return this.run();
  };
}
