/**
 * The service worker from the page's side: register it (vite-plugin-pwa's Workbox worker, see
 * vite.config.ts), tell the UI when a new deployment is ready, and notice on start when the build
 * changed since the last visit. Registration is skipped where service workers are unavailable
 * (an http:// origin other than localhost, some private windows) and in the dev server.
 */
import { registerSW } from 'virtual:pwa-register';

/** localStorage and sessionStorage key of the build this browser and this tab ran last. */
const LAST_BUILD = 'duckpond:build';

export interface OfflineEvents {
  /** Everything is cached: the app now starts without the network. */
  onOfflineReady(): void;
  /** A new deployment is installed and waiting; `apply()` switches to it (reloads the page). */
  onUpdateReady(apply: () => Promise<void>): void;
}

/** The build the page runs. */
export const BUILD_ID: string = __DUCKPOND_BUILD__;

/** Register the service worker (production builds only). */
export function registerOffline(events: OfflineEvents): void {
  if (import.meta.env.DEV || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const update = registerSW({
    // After the page's load event (Workbox's default): the precache download must not compete
    // with the first screen.
    immediate: false,
    // Fires only when the first worker finished installing; on later visits the registration
    // already has an active (hence fully precached) worker.
    onOfflineReady: () => events.onOfflineReady(),
    onRegisteredSW: (_url: string, registration: ServiceWorkerRegistration | undefined) => {
      if (registration?.active) events.onOfflineReady();
    },
    onNeedRefresh: () => events.onUpdateReady(() => update(true)),
    onRegisterError: (e: unknown) => console.warn('DuckPond: the service worker did not register; the app works online only', e),
  });
}

/**
 * The build this tab (or, in a new tab, this browser) ran before, when it differs from this one;
 * null on a first visit or the same build. Per tab first: when an update reloads several tabs, each
 * of them says so, not only the one that started first.
 */
export function previousBuild(): string | null {
  let before: string | null;
  try {
    before = sessionStorage.getItem(LAST_BUILD) ?? localStorage.getItem(LAST_BUILD);
    sessionStorage.setItem(LAST_BUILD, BUILD_ID);
    localStorage.setItem(LAST_BUILD, BUILD_ID);
  } catch {
    return null;
  }
  return before !== null && before !== BUILD_ID ? before : null;
}
