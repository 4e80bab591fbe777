import { ESLint } from 'eslint'
import t from 'tap'

// STYLE.md: formatting is left to one tool, neostandard (eslint.config.mjs), across lib, bin, test,
// bench and scripts. `npm run lint -- --fix` repairs what it can; this test fails on any finding,
// naming file:line:col and the rule, so a style drift cannot land unnoticed.
t.test('neostandard finds nothing in the tree', async (t) => {
  const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname })
  const results = await eslint.lintFiles(['.'])
  const findings = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}:${m.column} ${m.ruleId ?? 'parse'} ${m.message}`))
  t.same(findings, [], `${findings.length} findings; run \`npm run lint -- --fix\``)
  t.ok(results.length > 100, `linted ${results.length} files (the config must not ignore the tree)`)
})
