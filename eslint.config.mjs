import neostandard from 'neostandard'

// One code style across lib, bin, test, bench and scripts (../shared/STYLE.md: neostandard).
// `npm run lint` checks it; test/style.test.ts runs it as part of `npm test`.
export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', 'tap-snapshots/**', '.tap/**', 'coverage/**'] }),
  {
    rules: {
      // `void promise` marks a promise deliberately not awaited (its errors are handled inside);
      // as a statement only, never as a value.
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
