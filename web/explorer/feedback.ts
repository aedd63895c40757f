// What the analyst sees while the page works: a request that takes longer than a moment shows a
// loading bar with what is running and a Cancel button, the controls that would start more work are
// disabled meanwhile, and a failure says what failed with a Retry button. Cancel stops the request
// and the page returns to the view it showed before the action (onCancelled). body[data-state] is `busy`
// while anything runs and body[data-loads] counts finished tasks (tests and the benchmark wait on them).
import { ApiError, Cancelled } from './api';

/** Shorter requests finish before a loading bar could be read: it would only flicker. */
export const LOADING_DELAY_MS = 200;

export interface FeedbackElements {
  /** The loading bar: its text and the Cancel button inside it. */
  loading: HTMLElement;
  loadingText: HTMLElement;
  cancel: HTMLButtonElement;
  /** The status line (role=status) and its Retry button. */
  status: HTMLElement;
  statusText: HTMLElement;
  retry: HTMLButtonElement;
  /** Called when the service asks for a read token. */
  onUnauthenticated(): void;
  /** An action finished with nothing else running: what is shown now is a view to come back to. */
  onSettled(): void;
  /** The analyst pressed Cancel: put back the view the page showed before the cancelled action. */
  onCancelled(): void;
}

/** The abort reason of the Cancel button (a newer action replacing an older one gives another). */
const BY_ANALYST = 'cancelled by the analyst';

export class Feedback {
  private running = 0;
  private loads = 0;
  private controller: AbortController | undefined;
  private lastFailed: (() => Promise<void>) | undefined;
  private loadingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly el: FeedbackElements) {
    el.cancel.addEventListener('click', () => this.controller?.abort(BY_ANALYST));
    el.retry.addEventListener('click', () => {
      const again = this.lastFailed;
      if (again) void again();
    });
    document.body.dataset.state = 'idle';
    document.body.dataset.loads = '0';
  }

  /**
   * Runs one user action. A new action cancels the one still running (the newer click wins), so a
   * slow answer never overwrites a later view. `work` gets the signal to pass to its requests.
   */
  run(what: string, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const attempt = async (): Promise<void> => {
      this.controller?.abort();
      const controller = new AbortController();
      this.controller = controller;
      this.running += 1;
      this.setBusy(true, what);
      let ok = false;
      try {
        await work(controller.signal);
        if (controller.signal.aborted) throw new Cancelled();
        ok = true;
        this.lastFailed = undefined;
        this.el.retry.hidden = true;
        this.el.status.dataset.error = 'false';
      } catch (err) {
        if (err instanceof Cancelled || controller.signal.aborted) {
          // A newer action replaced this one: it reports for itself, and its view is the one to show.
          if (controller.signal.reason === BY_ANALYST) this.el.onCancelled();
          if (this.controller === controller) this.say(`Cancelled: ${what}.`);
        } else this.fail(what, err, attempt);
      } finally {
        this.running -= 1;
        if (this.controller === controller) this.controller = undefined;
        this.loads += 1;
        document.body.dataset.loads = String(this.loads);
        if (this.running === 0) {
          this.setBusy(false, '');
          if (ok) this.el.onSettled();
        }
      }
    };
    return attempt();
  }

  get busy(): boolean {
    return this.running > 0;
  }

  /**
   * Controls that start work ([data-busy-disable]) are disabled while it runs; Cancel, the tabs and
   * the filters stay usable. A control the page turned off for its own reason carries data-off.
   */
  syncControls(): void {
    for (const b of document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>(
      '[data-busy-disable]',
    )) {
      b.disabled = this.running > 0 || b.dataset.off === 'true';
    }
  }

  /** A message in the status line (no error). */
  say(text: string): void {
    this.el.statusText.textContent = text;
    this.el.status.dataset.error = 'false';
    this.el.retry.hidden = true;
  }

  private fail(what: string, err: unknown, again: () => Promise<void>): void {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
      this.el.onUnauthenticated();
      this.el.statusText.textContent = 'The service needs a read token: enter it under "Access token".';
    } else {
      const message = err instanceof Error ? err.message : String(err);
      this.el.statusText.textContent = `Error while ${what.toLowerCase()}: ${message}`;
    }
    this.el.status.dataset.error = 'true';
    this.lastFailed = again;
    this.el.retry.hidden = false;
  }

  private setBusy(busy: boolean, what: string): void {
    document.body.dataset.state = busy ? 'busy' : 'idle';
    document.body.setAttribute('aria-busy', String(busy));
    this.syncControls();
    clearTimeout(this.loadingTimer);
    if (busy) {
      this.el.loadingText.textContent = `${what}…`;
      this.loadingTimer = setTimeout(() => {
        this.el.loading.hidden = false;
      }, LOADING_DELAY_MS);
    } else {
      this.el.loading.hidden = true;
    }
  }
}
