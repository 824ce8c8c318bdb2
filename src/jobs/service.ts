// The Service contract: how the daemon runs a job. The daemon only wires and dispatches: it
// starts and stops each Service, routes a control request to the Service that lists its `cmd`,
// merges each Service's part of `baysync status`, and shows the busiest status line on STATUS=.
// Contract: start() resumes unfinished work before it returns; stop() ends every timer, watcher
// and child the Service owns; status() and statusLine() are cheap and never block.
import type { ControlRequest } from '../protocol.js';

export interface Service {
  readonly name: string;
  /** The control requests (`cmd`) this Service answers. */
  readonly commands: ReadonlyArray<ControlRequest['cmd']>;
  start(): Promise<void>;
  stop(): Promise<void>;
  handle(req: ControlRequest): Promise<unknown>;
  /** The Service's part of `baysync status --json` (merged into one object by the daemon). */
  status(): Record<string, unknown>;
  /** Its part of the STATUS= line, or undefined when it has nothing to say. */
  statusLine(): string | undefined;
  /** True while it does long work (its status line then stands alone). */
  busy(): boolean;
  /** How long its work under way has gone without progress (0 when idle or moving). */
  stalledMs?(): number;
}
