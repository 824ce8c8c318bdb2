// `baysync doctor`: checks the installation against the safety invariants and says how to fix
// what is wrong. Most important: invariant 2 (external stripes never auto-assembled), checked
// in /etc/mdadm/mdadm.conf AND in the initramfs copy the next boot will use. Contract: reads
// only (unmkinitramfs extracts into a temp dir that is removed); returns findings, never fixes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, hasRotation, type RotationConfig } from '../config/schema.js';
import { MdAdapter } from '../system/md.js';
import { parseMdadmConf, programOf, stripeIgnoreProblem } from '../system/parsers/mdadm-conf.js';
import type { CommandRunner } from '../system/runner.js';
import { checkInstalledFiles } from './doctor-files.js';
import { checkSecrets, secretFiles } from './doctor-secrets.js';
import type { Finding } from './finding.js';
import { mdadmConfLines, mdadmEventHook } from './install.js';

export type { Finding };

export interface DoctorOptions {
  cfg: Config;
  runner: CommandRunner;
  root?: string; // for tests: read files below this root
  /** The config file, checked with the other secrets (doctor-secrets.ts). */
  configPath?: string;
  kernelRelease?: string;
}

export function checkMdadmConf(cfg: RotationConfig, text: string | undefined, where: string): Finding[] {
  if (text === undefined) {
    return [
      {
        level: 'fail',
        check: `mdadm.conf (${where})`,
        detail: 'not found',
        fix: `create it with the internal arrays and:\n${mdadmConfLines(cfg).join('\n')}`,
      },
    ];
  }
  const lines = parseMdadmConf(text);
  return cfg.sets.map((s) => {
    const problem = stripeIgnoreProblem(lines, s.stripe_uuid);
    return problem
      ? {
          level: 'fail',
          check: `set ${s.name} never auto-assembled (${where})`,
          detail: problem,
          fix: `put this line in /etc/mdadm/mdadm.conf, then run \`update-initramfs -u\`:\n  ${mdadmConfLines(cfg).find((l) => l.includes(s.name))}`,
        }
      : { level: 'ok', check: `set ${s.name} never auto-assembled (${where})`, detail: 'ARRAY <ignore> present' };
  });
}

/** mdadm --monitor's PROGRAM: baysync's hook, so that a failing member is acted on at once. */
export function checkMdEventHook(text: string | undefined): Finding {
  const check = 'md event hook (/etc/mdadm/mdadm.conf PROGRAM)';
  const prog = text === undefined ? undefined : programOf(text);
  if (prog === mdadmEventHook) return { level: 'ok', check, detail: `PROGRAM ${prog}` };
  return {
    level: 'warn',
    check,
    detail: prog
      ? `PROGRAM is ${prog}: md events do not reach baysync (it sees them at its next scan)`
      : 'no PROGRAM line: md events (a member failing) reach baysync only at its next scan',
    fix: prog
      ? `mdadm takes one PROGRAM: have ${prog} also run \`${mdadmEventHook} "$@"\``
      : `add this line to /etc/mdadm/mdadm.conf, then \`systemctl restart mdmonitor\`:\n  PROGRAM ${mdadmEventHook}`,
  };
}

export async function doctor(opts: DoctorOptions): Promise<Finding[]> {
  const { cfg, runner } = opts;
  const root = opts.root ?? '/';
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(join(root, p), 'utf8');
    } catch {
      return undefined;
    }
  };
  const findings: Finding[] = [{ level: 'ok', check: 'configuration', detail: 'valid' }];
  if (opts.configPath) findings.push(...checkSecrets(secretFiles(cfg, opts.configPath)));
  findings.push(...checkInstalledFiles(cfg, read));
  if (hasRotation(cfg)) {
    findings.push(...checkMdadmConf(cfg, read('etc/mdadm/mdadm.conf'), '/etc/mdadm/mdadm.conf'));
    findings.push(checkMdEventHook(read('etc/mdadm/mdadm.conf')));

    // The initramfs copy: the one that assembles arrays at the next boot.
    const release = opts.kernelRelease ?? (await runner.run(['uname', '-r'], { quiet: true })).stdout.trim();
    const initrd = join(root, 'boot', `initrd.img-${release}`);
    if (!existsSync(initrd)) {
      findings.push({
        level: 'warn',
        check: 'initramfs mdadm.conf',
        detail: `${initrd} not found`,
        fix: 'if the system boots from an initramfs, run `update-initramfs -u`',
      });
    } else {
      const tmp = mkdtempSync(join(tmpdir(), 'baysync-initrd-'));
      try {
        const r = await runner.run(['unmkinitramfs', initrd, tmp], { allowFailure: true, timeoutMs: 120_000 });
        if (r.exitCode !== 0) {
          findings.push({
            level: 'warn',
            check: 'initramfs mdadm.conf',
            detail: `cannot unpack ${initrd}: ${r.stderr.trim().slice(0, 200)}`,
          });
        } else {
          const found = findFile(tmp, 'etc/mdadm/mdadm.conf');
          if (!found)
            findings.push({
              level: 'warn',
              check: 'initramfs mdadm.conf',
              detail: 'the initramfs has no mdadm.conf (arrays are then assembled by scanning)',
              fix: 'run `update-initramfs -u`',
            });
          else findings.push(...checkMdadmConf(cfg, readFileSync(found, 'utf8'), 'initramfs'));
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }

    // The arrays: top mirror active, each set's mirror active with a write-intent bitmap.
    const md = new MdAdapter(
      runner,
      join(root === '/' ? '' : root, cfg.paths.sysfs),
      join(root === '/' ? '' : root, cfg.paths.proc),
    );
    const arrays = await md.listArrays().catch(() => []);
    const byUuid = (u: string): (typeof arrays)[number] | undefined => arrays.find((a) => a.active && a.uuid === u);
    const bitmapOf = (name: string): string | undefined => {
      const b = read(join(cfg.paths.sysfs, 'block', name, 'md', 'bitmap', 'location').replace(/^\//, ''))?.trim();
      return b && b !== 'none' ? b : undefined;
    };
    const top = byUuid(cfg.storage.top_mirror_uuid);
    findings.push(
      !top
        ? {
            level: 'fail',
            check: 'top mirror',
            detail: 'not active',
            fix: 'check `cat /proc/mdstat` and storage.top_mirror_uuid',
          }
        : bitmapOf(top.name)
          ? { level: 'ok', check: 'top mirror', detail: `${top.name} active, bitmap ${bitmapOf(top.name)}` }
          : {
              level: 'warn',
              check: 'top mirror',
              detail: `${top.name} active without a write-intent bitmap: a power cut during a detach can start it on one half (seen in the lab), and re-adding the other half is then a full resync of the whole pool, hours without top-level redundancy on a large pool`,
              fix: `mdadm --grow --bitmap=internal /dev/${top.name}`,
            },
    );
    for (const s of cfg.sets) {
      const m = byUuid(s.mirror_uuid);
      if (!m) {
        findings.push({
          level: 'fail',
          check: `mirror of set ${s.name}`,
          detail: 'not active',
          fix: 'check `cat /proc/mdstat` and sets.mirror_uuid',
        });
        continue;
      }
      const bitmap = bitmapOf(m.name);
      findings.push(
        bitmap
          ? { level: 'ok', check: `mirror of set ${s.name}`, detail: `${m.name} active, bitmap ${bitmap}` }
          : {
              level: 'fail',
              check: `mirror of set ${s.name}`,
              detail: `${m.name} has no write-intent bitmap: every rotation would be a full resync`,
              fix: `mdadm --grow --bitmap=internal /dev/${m.name}`,
            },
      );
    }
  }

  // BackupPC includes the control file.
  if (hasRotation(cfg) && cfg.backuppc.enabled) {
    const main = read('etc/backuppc/config.pl');
    findings.push(
      main?.includes(cfg.backuppc.control_include)
        ? {
            level: 'ok',
            check: 'BackupPC control include',
            detail: `config.pl includes ${cfg.backuppc.control_include}`,
          }
        : {
            level: 'fail',
            check: 'BackupPC control include',
            detail: `config.pl does not include ${cfg.backuppc.control_include}`,
            fix: `append to /etc/backuppc/config.pl: do "${cfg.backuppc.control_include}";`,
          },
    );
  }
  if (cfg.mail.transport === 'sendmail' && !existsSync(join(root, cfg.mail.sendmail_path))) {
    findings.push({
      level: 'fail',
      check: 'mail transport',
      detail: `${cfg.mail.sendmail_path} not found`,
      fix: 'install an MTA (e.g. exim4-daemon-light) or set mail.transport = "smtp"',
    });
  }
  return findings;
}

function findFile(dir: string, rel: string): string | undefined {
  const direct = join(dir, rel);
  if (existsSync(direct)) return direct;
  for (const sub of readdirSync(dir)) {
    const p = join(dir, sub, rel);
    if (existsSync(p)) return p;
  }
  return undefined;
}
