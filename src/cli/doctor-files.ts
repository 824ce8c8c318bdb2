// `baysync doctor`'s check of the installed files: the package's daemon unit in /usr/lib, no
// whole unit in /etc shadowing it, no stale generated hotplug rule, and the generated stripe
// rule naming every configured set (invariant 2 at udev's level). Contract: pure over a file reader.
import type { Config } from '../config/schema.js';
import type { Finding } from './finding.js';
import { stripeMatch, stripesRulePath } from './install.js';

export function checkInstalledFiles(cfg: Config, read: (rel: string) => string | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const f of ['usr/lib/systemd/system/baysync.service']) {
    const check = `installed: /${f}`;
    findings.push(
      read(f) !== undefined
        ? { level: 'ok', check, detail: 'present' }
        : { level: 'fail', check, detail: 'missing', fix: 'reinstall the package: apt install --reinstall baysync' },
    );
  }
  for (const f of ['etc/systemd/system/baysync.service'])
    if (read(f) !== undefined)
      findings.push({
        level: 'warn',
        check: `not shadowed: /${f}`,
        detail: "a whole unit in /etc replaces the package's (an older `baysync install` wrote one, or an admin)",
        fix: `remove /${f} and keep local changes in a drop-in (systemctl edit ${f.split('/').pop()}), then systemctl daemon-reload`,
      });
  if (read('etc/udev/rules.d/64-baysync.rules') !== undefined)
    findings.push({
      level: 'warn',
      check: 'no stale rule: /etc/udev/rules.d/64-baysync.rules',
      detail: 'an older version generated it; baysync no longer uses it',
      fix: 'run `baysync install` (it removes the one an older version generated), or remove it yourself',
    });
  if (cfg.sets?.length) {
    const rule = read(stripesRulePath);
    const missing = cfg.sets.filter((s) => !rule?.includes(stripeMatch(s)));
    const check = `udev keeps the stripes away from mdadm --incremental (/${stripesRulePath})`;
    findings.push(
      missing.length
        ? {
            level: 'fail',
            check,
            detail: rule === undefined ? 'missing' : `no line for set ${missing.map((s) => s.name).join(', ')}`,
            fix: 'run `baysync install`',
          }
        : { level: 'ok', check, detail: `every set (${cfg.sets.length})` },
    );
  }
  return findings;
}
