// The config's field types (zod): UUIDs, names, paths, hosts, interfaces and unit names, each
// with the error message an operator reads. Contract: every string that reaches a command line
// or a path is constrained here.
import { z } from 'zod';
import { normalizeUuid } from '../util/names.js';

export const uuid = z
  .string()
  .refine((s) => {
    try {
      normalizeUuid(s);
      return true;
    } catch {
      return false;
    }
  }, 'an md UUID such as "4f1b2c3d:5e6f7a8b:9c0d1e2f:3a4b5c6d" (see `mdadm --detail /dev/mdX`)')
  .transform((s) => normalizeUuid(s));

export const setName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'a short name of letters, digits, "-" or "_" (it is used in file names)');

export const mdName = z.string().regex(/^md[0-9]+$/, 'an md device name such as "md8"');

/** No control characters (a newline ends a log line or a config line), no ';', no `..` segment. */
export const absPath = z
  .string()
  .regex(/^\/[^\0-\x1f\x7f;]*$/, 'an absolute path without control characters or ";"')
  .refine((p) => !p.split('/').includes('..'), 'an absolute path without ".." segments');

/** A host name or IPv4 address. A ':' would turn an rsync remote into rsync's daemon syntax
 *  (host::module), so an IPv6 host is given by a name (in /etc/hosts). */
export const host = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/,
    'a host name or an IPv4 address (give an IPv6 host a name in /etc/hosts)',
  );

/** A file or directory name relative to a tree: no "/" at the ends, no "." or ".." segment. */
export const relativeName = z
  .string()
  .regex(/^[^/\0-\x1f\x7f]([^\0-\x1f\x7f]*[^/\0-\x1f\x7f])?$/, 'a path relative to the tree, e.g. "pc"')
  .refine(
    (p) => p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'),
    'a path without ".", ".." or empty segments',
  );
/** A login name on another host (ssh's user@host). */
export const userName = z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a user name');
export const ifName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$/, 'a network interface name such as "eth0"');
/** A systemd unit name; never starting with "-" (it would be read as an option). */
export const unitName = z
  .string()
  .regex(/^[A-Za-z0-9@_][A-Za-z0-9@._\\-]*$/, 'a systemd unit name such as "backuppc.service"');
/** Paths given to ssh through rsync's -e option must not contain blanks (rsync splits it). */
export const noBlankPath = z.string().regex(/^\/[^\s\0]*$/, 'an absolute path without blanks');
export const cidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 address with its prefix, e.g. "192.168.1.1/24"');

/** How this host reaches the other over the dedicated segment: ssh with a forced command
 *  (rrsync, read-only for pull) or an rsync daemon module with a secrets file. */
