// One finding of `baysync doctor`: its level, what was checked, what was seen, and the fix.
// Contract: plain data.
export interface Finding {
  level: 'ok' | 'warn' | 'fail';
  check: string;
  detail: string;
  fix?: string;
}
