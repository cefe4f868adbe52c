import type { ReactiveController, ReactiveControllerHost } from "lit";

/**
 * Runs the element's one piece of async work at a time with an `AbortSignal`: starting new work,
 * `abort()` (hide, cancel) and disconnecting the element cancel what was running.
 */
export class RequestController implements ReactiveController {
  #current?: AbortController;

  constructor(host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Runs `work`; resolves to `undefined` when it was aborted (its outcome no longer matters). */
  async run<T>(
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T } | { error: unknown } | undefined> {
    this.abort();
    const controller = new AbortController();
    this.#current = controller;
    try {
      const value = await work(controller.signal);
      return controller.signal.aborted ? undefined : { value };
    } catch (error) {
      return controller.signal.aborted ? undefined : { error };
    } finally {
      if (this.#current === controller) this.#current = undefined;
    }
  }

  abort(): void {
    this.#current?.abort();
    this.#current = undefined;
  }

  hostDisconnected(): void {
    this.abort();
  }
}
