/**
 * Collects a stream's bytes keeping only the first `headBytes` and the last `tailBytes`, so a
 * command printing gigabytes costs bounded memory. `text()` says how much was dropped.
 */
export class HeadTailBuffer {
  private head: Buffer[] = [];
  private headLength = 0;
  private tail: Buffer[] = [];
  private tailLength = 0;
  total = 0;

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headLength < this.headBytes) {
      const take = Math.min(this.headBytes - this.headLength, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headLength += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailBytes === 0) return;
    this.tail.push(rest);
    this.tailLength += rest.length;
    while (this.tailLength - (this.tail[0]?.length ?? 0) >= this.tailBytes) {
      this.tailLength -= (this.tail.shift() as Buffer).length;
    }
  }

  get dropped(): number {
    return this.total - this.headLength - Math.min(this.tailLength, this.tailBytes);
  }

  text(): string {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailBytes) tail = tail.subarray(tail.length - this.tailBytes);
    if (this.dropped === 0) return Buffer.concat([head, tail]).toString('utf8');
    return `${head.toString('utf8')}\n[… ${this.dropped} bytes omitted …]\n${tail.toString('utf8')}`;
  }
}
