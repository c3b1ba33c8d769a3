// The live WebSocket: subscriptions by topic, exact resume after a disconnect (each topic
// resubscribes "since" the last sequence it saw), exponential backoff from 0.5 s to 10 s.

export interface Frame {
  topic?: string;
  kind: "snapshot" | "deltas" | "state" | "patch" | "resumed" | "error" | "bye";
  seq: number;
  from?: number;
  fresh?: boolean;
  data?: unknown;
  deltas?: unknown[];
  code?: string;
  message?: string;
}

export type TopicHandler = (f: Frame) => void;
export type ConnState = "connecting" | "connected" | "reconnecting";

interface Sub {
  handler: TopicHandler;
  seq: number | null; // the last sequence applied; null until the first snapshot
}

export class Stream {
  private ws: WebSocket | null = null;
  private subs = new Map<string, Sub>();
  private backoff = 500;
  private timer: number | undefined;
  private stateListeners: Array<(s: ConnState) => void> = [];
  private closed = false;
  state: ConnState = "connecting";
  lastFrame = 0; // Date.now() of the last frame received

  constructor(private url: string) {}

  onState(fn: (s: ConnState) => void): void {
    this.stateListeners.push(fn);
    fn(this.state);
  }

  private setState(s: ConnState): void {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  start(): void {
    this.closed = false;
    this.connect();
  }

  stop(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }

  subscribe(topic: string, handler: TopicHandler): void {
    this.subs.set(topic, { handler, seq: null });
    this.send({ op: "subscribe", topic });
  }

  unsubscribe(topic: string): void {
    if (!this.subs.delete(topic)) return;
    this.send({ op: "unsubscribe", topic });
  }

  private send(msg: object): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private connect(): void {
    clearTimeout(this.timer);
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 500;
      this.setState("connected");
      for (const [topic, sub] of this.subs) {
        this.send(sub.seq === null ? { op: "subscribe", topic } : { op: "subscribe", topic, since: sub.seq });
      }
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") return;
      let f: Frame;
      try {
        f = JSON.parse(ev.data) as Frame;
      } catch {
        return;
      }
      this.lastFrame = Date.now();
      this.dispatch(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.closed) this.retry();
    };
    ws.onerror = () => ws.close();
  }

  private retry(): void {
    this.setState("reconnecting");
    const wait = this.backoff * (0.8 + Math.random() * 0.4);
    this.backoff = Math.min(this.backoff * 2, 10_000);
    this.timer = window.setTimeout(() => this.connect(), wait);
  }

  private dispatch(f: Frame): void {
    if (f.kind === "bye") {
      this.ws?.close();
      return;
    }
    if (!f.topic) return;
    const sub = this.subs.get(f.topic);
    if (!sub) return;
    switch (f.kind) {
      case "snapshot":
        sub.seq = f.seq;
        break;
      case "state":
        // A value older than the one held (queued before a resubscription) is stale.
        if (sub.seq !== null && f.seq <= sub.seq) return;
        sub.seq = f.seq;
        break;
      case "deltas":
        // A frame we already applied (a duplicate after a resume) carries nothing new.
        if (sub.seq !== null && f.seq <= sub.seq) return;
        if (sub.seq !== null && f.from !== undefined && f.deltas && f.from <= sub.seq) {
          f = { ...f, deltas: f.deltas.slice(sub.seq - f.from + 1), from: sub.seq + 1 };
        }
        sub.seq = f.seq;
        break;
      case "patch":
        // A patch changes the value at seq-1. One for a value already held or replaced, or
        // arriving while a snapshot is awaited, is stale; one past the value held means a
        // value was missed: ask for the whole value again.
        if (sub.seq === null || f.seq <= sub.seq) return;
        if (sub.seq !== f.seq - 1) {
          sub.seq = null;
          this.send({ op: "unsubscribe", topic: f.topic });
          this.send({ op: "subscribe", topic: f.topic });
          return;
        }
        sub.seq = f.seq;
        break;
      case "resumed":
        sub.seq = f.seq;
        break;
      case "error":
        console.warn("stream", f.topic, f.code, f.message);
        break;
    }
    sub.handler(f);
  }
}

/** streamURL is the same-origin WebSocket address of the stream gateway. */
export function streamURL(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/api/v1/stream`;
}
