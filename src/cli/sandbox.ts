import type { Io } from './run.js';

/**
 * `charter sandbox`: serves the simulated AWS account on 127.0.0.1 until SIGINT/SIGTERM, so the Action
 * (CHARTER_AWS_ENDPOINT), the app or the AWS CLI (--endpoint-url) can be pointed at it. The endpoint is the
 * first line of stdout, for scripts to read. Loopback only: the sandbox has no authentication.
 */
export async function serveSandbox(opts: { state?: string; port: number; persist: boolean }, io: Pick<Io, 'out' | 'err'>): Promise<number> {
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ stateFile: opts.state, port: opts.port, persist: opts.persist });
  io.out(sandbox.endpoint);
  io.err(`Serving the simulated AWS account${opts.state ? ` from ${opts.state}` : ' (empty)'}${opts.persist ? ', writing changes back' : ''}. Stop with Ctrl-C.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return 0;
}
