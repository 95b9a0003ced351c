// A queue of async jobs run one at a time, in order: everything CcxtBroker says to an exchange.

/**
 * Runs pushed jobs one after another. A job that throws does not stop the queue: its error goes
 * to `onError`. `idle()` resolves once the queue is empty, including jobs pushed by jobs.
 *
 * @example
 * ```ts
 * const q = new SerialQueue((err) => console.error(err));
 * q.push(() => send(order));
 * await q.idle();
 * ```
 */
export class SerialQueue {
  readonly #jobs: { name: string; run: () => Promise<void> }[] = [];
  #running: Promise<void> | null = null;

  /** A queue reporting failed jobs (and their names) to `onError`. */
  constructor(readonly onError: (err: unknown, job: string) => void) {}

  /** Jobs waiting (not counting the one running). */
  get pending(): readonly string[] {
    return this.#jobs.map((j) => j.name);
  }

  /** Whether a job is running or waiting. */
  get busy(): boolean {
    return this.#running !== null;
  }

  /** Appends a job; it starts when the ones before it are done. */
  push(name: string, run: () => Promise<void>): void {
    this.#jobs.push({ name, run });
    if (this.#running === null) this.#running = this.#drain();
  }

  /** Resolves when no job is running or waiting. */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async #drain(): Promise<void> {
    // let the pushing caller finish its synchronous work before the first job starts
    await Promise.resolve();
    for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
      try {
        await job.run();
      } catch (err) {
        this.onError(err, job.name);
      }
    }
    this.#running = null;
  }
}
