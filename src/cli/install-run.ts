// `baysync install`'s command: loads the config (an invalid one still gets the rule, without
// stripe lines), runs install() on the real system and words its result, with the mdadm.conf
// lines the admin must add. Contract: returns the text to print; throws on anything but a
// config error.
import { type Config, ConfigError } from '../config/schema.js';
import { ExecRunner } from '../system/runner.js';
import { install } from './install.js';

export async function installCommand(root: string, config: () => Promise<Config>, configPath: string): Promise<string> {
  let cfg: Config | undefined;
  try {
    cfg = await config();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`note: ${e.message.split('\n')[0]}; the udev rule is written without stripe UUIDs\n`);
  }
  const res = await install({ cfg, root, runner: new ExecRunner(), reload: root === '/', configPath });
  const out = [...res.written.map((w) => `wrote ${w}`), ...res.removed.map((r) => `removed ${r}`)];
  if (res.mdadmConf.length)
    out.push(
      `\nmake sure /etc/mdadm/mdadm.conf contains (then run update-initramfs -u and systemctl restart mdmonitor):\n${res.mdadmConf.map((l) => `  ${l}`).join('\n')}\nthen: systemctl enable --now baysync; baysync doctor`,
    );
  return out.join('\n');
}
