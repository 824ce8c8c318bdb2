import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { disableMarker } from '../../src/system/backuppc.js';
import { previousPath } from '../../src/util/json-store.js';
import { type Harness, restartDaemon, startHarness, waitUntil } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
const include = (h: Harness) => readFileSync(h.lab.sys.path('etc/backuppc/external-control.pl'), 'utf8');

describe('repair at start from what the system shows', () => {
  it('a torn state.json mid-rotation (pool frozen, BackupPC paused, set joined): thawed, restored, mailed, and the set rotates to its end', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    expect(include(h)).toContain(disableMarker);
    const file = h.daemon.rotation!.engine.store.file;
    await h.daemon.stop();
    // What a crash mid-detach with both copies of the record lost leaves behind.
    h.lab.sys.frozen = true;
    writeFileSync(file, '{"version": 1, "rotation": {"set": "A", "pha');
    writeFileSync(previousPath(file), '{"version": 1, "lastBySet": {}, "history": null, "waiting": []}');
    const d2 = await restartDaemon(h);
    expect(h.lab.sys.frozen).toBe(false);
    const mail = await h.smtp.waitFor((m) => m.subject.includes('rotation record was unusable'));
    expect(mail.text).toMatch(/state\.json was unusable \(.*\); moved aside to .*state\.json\.corrupt-/);
    expect(mail.text).toMatch(/previous copy .* is unusable too \(field history: /);
    expect(mail.text).toContain('- thawed /');
    expect(mail.text).toContain('- re-enabled BackupPC dumps');
    expect(mail.text).toContain('- set A is still joined to its mirror with no record of its rotation: a new rotation');
    // The new rotation adopts the joined set and makes the copy.
    await waitUntil(() => d2.rotation!.engine.state.rotation?.phase === 'syncing', 'the new rotation syncs');
    h.lab.sys.completeSync('md1');
    h.lab.sys.completeSync('md5');
    await h.smtp.waitFor((m) => m.subject.includes('set A') && m.subject.includes('safe to remove'));
  });

  it('a torn state.json with a good previous copy resumes the rotation from it, and says so', async () => {
    h = await startHarness();
    await h.plug('A');
    await h.waitPhase('syncing');
    const file = h.daemon.rotation!.engine.store.file;
    await h.daemon.stop();
    writeFileSync(file, 'torn');
    const d2 = await restartDaemon(h);
    expect(d2.rotation!.engine.state.rotation?.set).toBe('A');
    const mail = await h.smtp.waitFor((m) => m.subject.includes('rotation record was unusable'));
    expect(mail.text).toMatch(/using the previous good copy/);
    expect(mail.text).toMatch(/- resuming the rotation of set A from phase /);
  });

  it('a clean start with no record and a frozen pool leaves the pool alone (it may be the admin freezing it)', async () => {
    h = await startHarness({}, false);
    h.lab.sys.frozen = true;
    await h.daemon.start();
    expect(h.lab.sys.frozen).toBe(true);
    h.lab.sys.frozen = false;
  });
});
