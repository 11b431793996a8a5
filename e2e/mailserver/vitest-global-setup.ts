/**
 * Vitest globalSetup for the "integration" project: one mail rig per test run, shared by all
 * workers through provide/inject; each test isolates itself with its own users.
 */
import type { TestProject } from 'vitest/node';
import { startMailServers, stopMailServers, type MailRig } from './rig.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mailRig: MailRig;
  }
}

/** Starts Dovecot and Postfix and hands the rig to the tests; the returned teardown stops them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const rig = await startMailServers();
  project.provide('mailRig', rig);
  return async () => {
    await stopMailServers(rig);
  };
}
