// Owns what scripts/faults prints: a node:test reporter that turns each scenario's
// result into a PASS or FAIL line, its figures, and one `!` line per problem found.
//
// node:test reports a test's diagnostics after its result, so a result waits for
// them and is printed when the next test starts or the run ends.

const figuresOf = (json) => Object.entries(JSON.parse(json))
  .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
  .join(', ');

export default async function* reporter(source) {
  let pending = null;
  let passed = 0;
  let failed = 0;
  const flush = () => {
    if (!pending) return '';
    const { pass, name, ms, figures, problems } = pending;
    pending = null;
    const lines = [`${pass ? 'PASS' : 'FAIL'}  ${name} (${(ms / 1000).toFixed(2)} s)`];
    if (figures) lines.push(`        ${figures}`);
    for (const problem of problems) lines.push(`        ! ${problem}`);
    return lines.join('\n') + '\n';
  };
  for await (const { type, data } of source) {
    // `node --test` reports the file itself as a test around the scenarios.
    if ((type === 'test:pass' || type === 'test:fail') && data.name !== data.file) {
      yield flush();
      const pass = type === 'test:pass';
      if (pass) passed++;
      else failed++;
      const error = data.details.error;
      const message = pass ? '' : String(error?.cause?.message ?? error?.message ?? error);
      pending = { pass, name: data.name, ms: data.details.duration_ms, problems: message ? message.split('\n') : [] };
    } else if (type === 'test:fail') {
      // The file failed on its own (it did not load, or a hook failed).
      yield flush();
      const error = data.details.error;
      if (error?.failureType !== 'subtestsFailed') {
        failed++;
        yield `FAIL  ${data.name}: ${error?.cause?.stack ?? error?.cause ?? error?.message ?? error}\n`;
      }
    } else if (type === 'test:diagnostic' && pending && data.message.startsWith('figures ')) {
      pending.figures = figuresOf(data.message.slice('figures '.length));
    } else if (type === 'test:stdout' || type === 'test:stderr') {
      yield flush() + data.message;
    }
  }
  yield flush();
  const logs = failed && process.env.FAULTS_WORK ? ` (logs: ${process.env.FAULTS_WORK})` : '';
  yield `faults: ${passed} passed, ${failed} failed${logs}\n`;
}
