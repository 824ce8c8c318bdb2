// Import rules of baysync (docs/design.md, "Layers"): events -> daemon -> jobs -> system adapters
// -> one CommandRunner. Layers import only downward, and a workflow never imports another one
// (what one needs of another is passed in as a predicate). `npm run lint` runs this check.
const workflows = '(rotation|realtime|failover|copy|director|archive)';
const below = (name, from, forbidden, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${from}` },
  to: { path: `^src/(${forbidden.join('|')})(/|\\.ts$)` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes the layers meaningless and module start-up order fragile.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'workflows-independent',
      comment: 'A job never imports another job; pass what it needs in as a predicate.',
      severity: 'error',
      from: { path: `^src/${workflows}/` },
      to: { path: `^src/${workflows}/`, pathNot: '^src/$1/' },
    },
    below('adapters-not-upward', '(system|util)/', ['cli', 'daemon', 'events', 'jobs', 'mail', workflows.slice(1, -1)], 'Adapters and utilities know no workflow.'),
    below('leaves-not-upward', '(paths|protocol|version|log)\\.ts', ['cli', 'daemon', 'events', 'jobs', 'mail', 'system', workflows.slice(1, -1)], 'Leaf modules.'),
    below('config-not-upward', 'config/', ['cli', 'daemon', 'events', 'jobs', 'mail', 'system', workflows.slice(1, -1)], 'The config schema is read by everyone and reads no one.'),
    below('kernel-not-upward', '(jobs|mail)/', ['cli', 'daemon', 'events', workflows.slice(1, -1)], 'The job kernel and the mail spool serve every workflow.'),
    below('workflows-not-upward', `${workflows}/`, ['cli', 'daemon', 'events'], 'Workflows are driven by the daemon and the CLI, never the other way.'),
    below('daemon-not-upward', '(daemon|events)/', ['cli'], 'The CLI is the top layer.'),
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
