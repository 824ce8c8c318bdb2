// Step send-report (phase reporting): the rotation's mail goes to the spool (invariant 8: it
// never blocks or fails the rotation).
import { rotationMail } from '../report.js';
import { verifyOutcome } from '../verdict.js';
import { doneOnceRecorded, type RotationStep } from './context.js';

export const sendReportStep: RotationStep = {
  id: 'send-report',
  phase: 'reporting',
  keepsFacts: true,
  title: () => 'mail the report',
  status: doneOnceRecorded('send-report'),
  run: async (c) => {
    c.mail.enqueue(rotationMail(c.r, verifyOutcome(c.r.verify), c.iso()));
  },
};
