/**
 * Runtime validation of every call's arguments at the main-process boundary. `satisfies` makes a
 * method of the contract without a schema here a compile error.
 */
import { z } from 'zod';
import type { ApiMethod, PetrelApi } from './contract.ts';

type ArgsSchemas = { [K in ApiMethod]: z.ZodType<Parameters<PetrelApi[K]>> };

export const apiArgs = {
  getAppInfo: z.tuple([]),
  listAccounts: z.tuple([]),
} satisfies ArgsSchemas;
