/**
 * Timing lines for profiling sync (PETREL_TRACE=1), on stderr; free when off.
 */
const enabled = Boolean(process.env['PETREL_TRACE']);
const origin = performance.now();

export function trace(message: string): void {
  if (enabled)
    process.stderr.write(`[trace ${Math.round(performance.now() - origin)} ms] ${message}\n`);
}
