// One agent's inbox: delivered messages in seq order, oldest first, with O(1) removal at the
// head (the per-inbox cap and the global memory cap both drop the oldest) and a binary search
// for "everything after seq N".

/** A message as kept in memory: delivered once, shared by every inbox it was routed to. */
export interface StoredMessage {
  readonly seq: number;
  /** Delivered JSON (canonical form + seq + ts); emptied once no inbox holds it any more. */
  json: string;
  /** How many inboxes still hold it. */
  holders: number;
}

export class Inbox {
  private items: StoredMessage[] = [];
  private head = 0;
  /** Highest seq ever dropped from this inbox (0 when nothing was dropped). */
  droppedThrough = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Seq of the newest message held (0 when empty). */
  get lastSeq(): number {
    return this.length === 0 ? 0 : (this.items[this.items.length - 1] as StoredMessage).seq;
  }

  push(message: StoredMessage): void {
    this.items.push(message);
    message.holders += 1;
  }

  /** The oldest message still held, if any. */
  peek(): StoredMessage | undefined {
    return this.items[this.head];
  }

  /** Drops the oldest message and returns it. */
  shift(): StoredMessage | undefined {
    const message = this.items[this.head];
    if (!message) return undefined;
    this.head += 1;
    message.holders -= 1;
    this.droppedThrough = Math.max(this.droppedThrough, message.seq);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }

  /** Forgets the messages already dropped (they are only skipped until the array is cut). */
  trim(): void {
    this.items = this.items.slice(this.head);
    this.head = 0;
  }

  /** Messages with seq > `since`, oldest first. */
  after(since: number): StoredMessage[] {
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.items[middle] as StoredMessage).seq <= since) low = middle + 1;
      else high = middle;
    }
    return this.items.slice(low);
  }
}
