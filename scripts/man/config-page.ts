// `npm run man`: writes man/baysync.toml.5 from the config schema (src/config/manpage.ts).
// Contract: the only writer of that file; test/config/manpage.test.ts checks it is current.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigManPage } from '../../src/config/manpage.js';
import { version } from '../../src/version.js';

const file = join(process.cwd(), 'man', 'baysync.toml.5');
writeFileSync(file, renderConfigManPage(version));
process.stdout.write(`${file}\n`);
