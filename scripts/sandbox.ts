// `npm run sandbox -- [--state FILE] [--port N] [--persist]`: serves the simulated AWS account on 127.0.0.1
// until stopped, so the Action (CHARTER_AWS_ENDPOINT), the app or the AWS CLI (--endpoint-url) can be pointed
// at it. Prints the endpoint on its first line of stdout.
import { parseArgs } from 'node:util';
import { startSandbox } from '../src/sandbox/index.js';

const { values } = parseArgs({
  options: { state: { type: 'string' }, port: { type: 'string', default: '0' }, persist: { type: 'boolean', default: false } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
const sandbox = await startSandbox({ stateFile: values.state, port, persist: values.persist });
console.log(sandbox.endpoint);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
