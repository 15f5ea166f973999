import { hash } from 'node:crypto';

/**
 * Credentials this process has already verified the expensive way (an HMAC against
 * the stored hash, an ES256 signature), remembered by their sha256 so the next
 * request with the same credential skips that step. One-shot sha256 costs ~1 µs and
 * the map holds no credential. What the credential names is still resolved on every
 * request by the caller: this only says "these exact bytes passed the check before".
 * Bounded; the oldest entry goes first.
 */
export class SeenCredentials<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly max = 10_000) {}

  static digest(credential: string): string {
    return hash('sha256', credential, 'base64url');
  }

  get(digest: string): T | undefined {
    return this.entries.get(digest);
  }

  set(digest: string, value: T): void {
    if (!this.entries.has(digest) && this.entries.size >= this.max)
      this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest, value);
  }

  delete(digest: string): void {
    this.entries.delete(digest);
  }
}
