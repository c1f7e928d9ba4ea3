/**
 * Commit notices between tabs. Every tab runs its own worker with its own pond handle on the same
 * storage; after a commit a worker posts the new version on BroadcastChannel('duckpond:<pond>'),
 * and the others refresh their handle and tell their UI.
 */

interface CommitNotice {
  type: 'commit';
  version: number;
}

export class TabSync {
  #channel: BroadcastChannel | null;

  /** Listen for commits to `pond` made by other tabs. */
  constructor(
    readonly pond: string,
    onRemoteCommit: (version: number) => void,
  ) {
    // Some test environments lack BroadcastChannel; a lone tab needs none.
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(channelName(pond)) : null;
    if (this.#channel) {
      this.#channel.onmessage = (e: MessageEvent<CommitNotice>) => {
        if (e.data?.type === 'commit' && Number.isInteger(e.data.version)) onRemoteCommit(e.data.version);
      };
    }
  }

  /** Tell other tabs that `version` was committed. */
  announce(version: number): void {
    this.#channel?.postMessage({ type: 'commit', version } satisfies CommitNotice);
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
  }
}

/** The channel a pond's commits are announced on. */
export function channelName(pond: string): string {
  return `duckpond:${pond}`;
}
