// Lint: the man pages pass `mandoc -Tlint` with no message at all (style included). Prints
// mandoc's messages; exit 1 on any, or when mandoc is missing (`apt-get install mandoc`).
import { execFileSync } from 'node:child_process';

const pages = ['man/baysync.8', 'man/baysync.toml.5'];
try {
  execFileSync('mandoc', ['-Tlint', ...pages], { stdio: 'inherit' });
  process.stdout.write(`man pages: ok (${pages.length}, mandoc -Tlint)\n`);
} catch (e) {
  process.stderr.write(
    e.code === 'ENOENT'
      ? 'man pages: mandoc not found (apt-get install mandoc)\n'
      : 'man pages: mandoc -Tlint found the above\n',
  );
  process.exit(1);
}
