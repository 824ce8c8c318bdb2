// `baysync doctor`'s secrets check: the config (it may hold the SMTP password), the SMTP and
// rsyncd password files and the ssh keys must not be readable by group or others, nor owned by
// another user than root. Contract: stats only, never changes a mode; a missing optional file
// is not a finding (the job that needs it says so).
import { statSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { Finding } from './finding.js';

/** The files that hold secrets, with what each is. */
export function secretFiles(cfg: Config, configPath: string): Array<{ path: string; what: string }> {
  const out = [{ path: configPath, what: 'the configuration (it may hold the SMTP password)' }];
  if (cfg.mail.smtp.password_file) out.push({ path: cfg.mail.smtp.password_file, what: 'the SMTP password file' });
  const r = cfg.realtime?.remote;
  if (r?.transport === 'ssh') out.push({ path: r.ssh_key, what: "the sync's ssh key" });
  if (r?.password_file) out.push({ path: r.password_file, what: 'the rsyncd password file' });
  const f = cfg.failover;
  for (const [k, what] of [
    ['fence_ssh_key', 'the fencing ssh key'],
    ['cure_ssh_key', 'the cure ssh key'],
    ['failback_ssh_key', 'the failback ssh key'],
  ] as const) {
    const p = f?.[k];
    if (p) out.push({ path: p, what });
  }
  return out;
}

export function checkSecrets(files: Array<{ path: string; what: string }>, stat = statSync): Finding[] {
  const findings: Finding[] = [];
  for (const { path, what } of files) {
    let st: { mode: number; uid: number };
    try {
      st = stat(path);
    } catch {
      continue;
    }
    const check = `secret ${path}`;
    const who = [st.mode & 0o070 ? 'its group' : '', st.mode & 0o007 ? 'others' : ''].filter(Boolean).join(' and ');
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    if (who || st.uid !== 0)
      findings.push({
        level: 'warn',
        check,
        detail: `${what} is ${who ? `readable by ${who} (mode ${mode})` : `owned by uid ${st.uid}, not root`}`,
        fix: `chown root:root -- ${path} && chmod 600 -- ${path}`,
      });
    else findings.push({ level: 'ok', check, detail: `${what}: mode ${mode}, root` });
  }
  return findings;
}
