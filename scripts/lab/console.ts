// Reading the lab guest's serial console (the kernel prints there even with `quiet`).
// Contract: hangSignature() is pure: given the console text, it returns the first kernel line
// that shows the guest will not come up by itself (a soft lockup: a CPU spinning in the kernel
// for 20 s or more), or undefined. Seen once in CI: both vCPUs stuck in udev workers right after
// the switch to the root filesystem, for 70 minutes, under TCG.
export function hangSignature(console: string): string | undefined {
  const m = /^.*watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s!.*$/m.exec(console);
  return m?.[0].trim();
}
