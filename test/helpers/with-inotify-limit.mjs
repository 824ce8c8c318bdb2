// Test helper: run a command with a low inotify watch limit, without touching the machine's
// limit. Run it as `unshare --user --map-root-user node with-inotify-limit.mjs N cmd args...`:
// inside the new user namespace, /proc/sys/user/max_inotify_watches is that namespace's own.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [limit, cmd, ...args] = process.argv.slice(2);
writeFileSync('/proc/sys/user/max_inotify_watches', String(limit));
const r = spawnSync(cmd, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
