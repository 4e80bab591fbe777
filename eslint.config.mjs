import neostandard from 'neostandard'

// One code style across lib, bin, test, bench and scripts (../shared/STYLE.md: neostandard).
// `npm run lint` checks it; test/style.test.ts runs it as part of `npm test`.
export default [
  // Built output and tool state: never linted (a global ignore, as flat config defines one).
  { ignores: ['dist/**', 'node_modules/**', 'tap-snapshots/**', '.tap/**', 'coverage/**'] },
  ...neostandard({ ts: true }),
  {
    rules: {
      // `void promise` marks a promise deliberately not awaited (its errors are handled inside);
      // as a statement only, never as a value.
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
