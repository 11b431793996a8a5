/**
 * The boundary every call crosses, whatever the transport: unknown methods are refused, arguments
 * are validated against the contract's schemas, and failures become a `CallResult` with a code
 * and a human message instead of an exception.
 */
import { isApiMethod, type ApiMethod, type PetrelApi } from '#shared/contract';
import { PetrelError, type CallResult } from '#shared/result';
import { apiArgs } from '#shared/validation';
import type { Logger } from '../ports.ts';

export async function dispatchCall(
  api: PetrelApi,
  method: unknown,
  args: unknown,
  logger: Logger,
): Promise<CallResult<unknown>> {
  if (!isApiMethod(method)) {
    return fail('unknown-method', `Petrel has no call named ${JSON.stringify(String(method))}.`);
  }
  const parsed = apiArgs[method].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `argument ${issue.path.join('.')}: ` : '';
    const detail = issue ? `${where}${issue.message}` : 'invalid arguments';
    return fail('invalid-argument', `Invalid arguments for ${method}: ${detail}.`);
  }
  try {
    return { ok: true, value: await invoke(api, method, parsed.data) };
  } catch (error) {
    if (error instanceof PetrelError) return fail(error.code, error.message);
    logger.error(`call ${method} failed`, { error: String(error) });
    return fail('internal', `Something went wrong in ${method}: ${String(error)}`);
  }
}

function invoke(api: PetrelApi, method: ApiMethod, args: unknown[]): Promise<unknown> {
  const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(api, args);
}

function fail(code: PetrelError['code'], message: string): CallResult<never> {
  return { ok: false, error: { code, message } };
}
