/**
 * Photos of the current session, in memory only. The machine holds opaque refs; the bytes stay
 * here until submit hands them to the outbox, and everything is wiped when the session ends.
 */
export class PhotoStore {
  private photos = new Map<string, Buffer>();
  private next = 1;

  put(bytes: Buffer): string {
    const ref = `photo-${this.next++}`;
    this.photos.set(ref, bytes);
    return ref;
  }

  get(ref: string): Buffer | undefined {
    return this.photos.get(ref);
  }

  /** Overwrites then forgets every photo (best effort against lingering copies in memory). */
  clear(): void {
    for (const bytes of this.photos.values()) bytes.fill(0);
    this.photos.clear();
  }

  get size(): number {
    return this.photos.size;
  }
}
