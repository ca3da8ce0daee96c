// A reusable barrier for the replica threads, on a SharedArrayBuffer: [arrived, generation, abort].
// The last thread to arrive resets the count and bumps the generation; the others sleep on the
// generation word. `abort` (set by the main thread when a replica fails) wakes everyone with an
// error instead of leaving them blocked forever.
const ARRIVED = 0;
const GENERATION = 1;
const ABORT = 2;

export const BARRIER_BYTES = 3 * Int32Array.BYTES_PER_ELEMENT;

export class Barrier {
  private readonly words: Int32Array;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly parties: number,
  ) {
    this.words = new Int32Array(buffer);
  }

  /** Blocks until all `parties` threads have called wait() (worker threads only: Atomics.wait). */
  wait(): void {
    const generation = Atomics.load(this.words, GENERATION);
    if (Atomics.add(this.words, ARRIVED, 1) === this.parties - 1) {
      Atomics.store(this.words, ARRIVED, 0);
      Atomics.add(this.words, GENERATION, 1);
      Atomics.notify(this.words, GENERATION);
      return;
    }
    while (Atomics.load(this.words, GENERATION) === generation) {
      this.throwIfAborted();
      Atomics.wait(this.words, GENERATION, generation, 500);
    }
    this.throwIfAborted();
  }

  /** Wakes every waiting thread with an error (called from the main thread when a replica dies). */
  abort(): void {
    Atomics.store(this.words, ABORT, 1);
    Atomics.add(this.words, GENERATION, 1);
    Atomics.notify(this.words, GENERATION);
  }

  private throwIfAborted(): void {
    if (Atomics.load(this.words, ABORT))
      throw new Error('data-parallel step aborted: another replica failed');
  }
}
