/**
 * Command line for the mail rig:
 *   npx tsx e2e/mailserver/cli.ts start            start, print the rig JSON, stop on SIGINT/SIGTERM
 *   npx tsx e2e/mailserver/cli.ts seed --count N   time seeding N messages into a fresh user's INBOX
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createUser, seedMailbox, startMailServers, stopMailServers, type MailRig } from './rig.ts';

const USAGE = 'usage: cli.ts start | seed --count N [--body-bytes B] [--folder NAME]';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      count: { type: 'string', default: '100000' },
      'body-bytes': { type: 'string' },
      folder: { type: 'string', default: 'INBOX' },
    },
  });
  const command = positionals[0];
  if (command === 'start') return serve();
  if (command === 'seed') {
    const bodyBytes = values['body-bytes'] === undefined ? undefined : Number(values['body-bytes']);
    return seed(Number(values.count), values.folder, bodyBytes);
  }
  console.error(USAGE);
  process.exitCode = 2;
}

/** Runs until a signal, then stops cleanly so no daemon outlives the command. */
async function serve(): Promise<void> {
  const rig = await startMailServers();
  console.log(JSON.stringify(rig, null, 2));
  console.error('Mail rig running; press Ctrl-C to stop.');
  // Signal listeners alone do not keep Node running; the timer does, until a signal arrives.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  await stopMailServers(rig);
  console.error('Mail rig stopped.');
}

async function seed(count: number, folder: string, bodyBytes: number | undefined): Promise<void> {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--count must be a positive integer\n${USAGE}`);
  const t0 = performance.now();
  const rig: MailRig = await startMailServers();
  const t1 = performance.now();
  try {
    const user = await createUser(rig, 'seed');
    const result = await seedMailbox(rig, user.address, count, { folder, bodyBytes });
    const ok = result.messages === count;
    console.log(
      JSON.stringify({
        count,
        folder,
        startMs: Math.round(t1 - t0),
        writeMs: result.writeMs,
        indexMs: result.indexMs,
        totalSeedMs: result.writeMs + result.indexMs,
        doveadmMessages: result.messages,
        ok,
      }),
    );
    if (!ok) {
      console.error(`doveadm reports ${result.messages} messages, expected ${count}`);
      process.exitCode = 1;
    }
  } finally {
    await stopMailServers(rig);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
