// Pure parser of /proc/mdstat. Contract: returns one entry per array with its state, level,
// members (kernel name, slot, flags), the [n/m] [UU_] health, and any resync/recovery
// progress line. No I/O. Kernel names are validated; an invalid one throws.
import { isKernelName, kernelName } from '../../util/names.js';
import { ParseError } from './mdadm-export.js';

export interface MdstatMember {
  dev: string;
  slot: number;
  faulty: boolean;
  spare: boolean;
  writeMostly: boolean;
}

export interface MdstatArray {
  name: string;
  active: boolean;
  /** "broken": a RAID0 or linear array that lost a member (it still runs, and is listed active). */
  broken: boolean;
  /** "(read-only)": set read-only on purpose. */
  readonly: boolean;
  /** "(auto-read-only)": md's state until the first write after assembly; writable. */
  autoReadOnly: boolean;
  level?: string;
  members: MdstatMember[];
  blocks?: number;
  /** From "[2/1]": configured and working device counts (redundant levels only). */
  raidDisks?: number;
  workingDisks?: number;
  /** Present while a resync/recovery/check runs or is pending. */
  sync?: {
    action: string;
    percent?: number;
    done?: number;
    total?: number;
    finishMin?: number;
    speedKps?: number;
    delayed?: boolean;
  };
  bitmap?: string;
}

export function parseMdstat(text: string): MdstatArray[] {
  const arrays: MdstatArray[] = [];
  let cur: MdstatArray | undefined;
  for (const line of text.split('\n')) {
    const head =
      /^(md[0-9a-z_]+) : (active|inactive|broken)(?: \((read-only|auto-read-only)\))?(?: (\S+))? ?(.*)$/.exec(line);
    if (head) {
      const [, name, state, ro, levelOrDev, rest] = head;
      let level: string | undefined = levelOrDev;
      let devs = rest ?? '';
      if (level && /\[\d+\]/.test(level)) {
        devs = `${level} ${devs}`;
        level = undefined;
      }
      cur = {
        name: kernelName(name!, 'md array name'),
        // A RAID0 or linear array that lost a member is "broken" (kernel 6.12): still running,
        // so still listed as active; sysfs array_state says broken, and the planner aborts on it.
        active: state !== 'inactive',
        broken: state === 'broken',
        readonly: ro === 'read-only',
        autoReadOnly: ro === 'auto-read-only',
        level,
        members: devs
          .split(/\s+/)
          .filter(Boolean)
          .flatMap((tok) => {
            const m = /^([^[\s]+)\[(\d+)\]((?:\([A-Z]\))*)$/.exec(tok);
            if (!m) throw new ParseError('/proc/mdstat', `unexpected member token ${JSON.stringify(tok)}`);
            // A member that is not a plain kernel name (dm-0 under LUKS or LVM) is never one of
            // baysync's and is left out (invariant 7), rather than failing every scan.
            if (!isKernelName(m[1]!)) return [];
            return [
              {
                dev: m[1]!,
                slot: Number(m[2]),
                faulty: m[3]!.includes('(F)'),
                spare: m[3]!.includes('(S)'),
                writeMostly: m[3]!.includes('(W)'),
              },
            ];
          }),
      };
      arrays.push(cur);
      continue;
    }
    if (!cur) continue;
    const blocks = /^\s+(\d+) blocks/.exec(line);
    if (blocks) {
      cur.blocks = Number(blocks[1]);
      const health = /\[(\d+)\/(\d+)\]/.exec(line);
      if (health) {
        cur.raidDisks = Number(health[1]);
        cur.workingDisks = Number(health[2]);
      }
      continue;
    }
    const prog =
      /^\s+\[[=>.]+\]\s+(\w+)\s*=\s*([\d.]+)%\s*\((\d+)\/(\d+)\)\s*finish=([\d.]+)min\s*speed=(\d+)K\/sec/.exec(line);
    if (prog) {
      cur.sync = {
        action: prog[1]!,
        percent: Number(prog[2]),
        done: Number(prog[3]),
        total: Number(prog[4]),
        finishMin: Number(prog[5]),
        speedKps: Number(prog[6]),
      };
      continue;
    }
    const delayed = /^\s+(resync|recovery|check|reshape)=(DELAYED|PENDING)/.exec(line);
    if (delayed) {
      cur.sync = { action: delayed[1]!, delayed: true };
      continue;
    }
    const bitmap = /^\s+bitmap: (.*)$/.exec(line);
    if (bitmap) cur.bitmap = bitmap[1]!.trim();
  }
  return arrays;
}
