// Validates a HAR file against the HAR 1.2 schema (har-validator, the schemas of `har-schema`)
// and prints how many entries it holds. Run by `cargo xtask conformance` on the recording the
// mock's recording proxy wrote:
//   node tools/check-har.mjs RECORDING.har
// Exits 1, with the schema's errors, when the file is not a valid HAR 1.2 log.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const validate = require('har-validator');
const [file] = process.argv.slice(2);
const har = JSON.parse(readFileSync(file, 'utf8'));
try {
  await validate.har(har);
  console.log(`${file}: a valid HAR ${har.log.version} log of ${har.log.entries.length} entries`);
} catch (error) {
  console.error(`${file} is not a valid HAR 1.2 log:`, JSON.stringify(error.errors ?? error.message, null, 2));
  process.exit(1);
}
