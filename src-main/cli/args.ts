/** `--name value` and `--flag` parsing for the CLI's few options; unknown options are errors. */
export function parseArgs(
  args: string[],
  spec: Record<string, 'string' | 'boolean'>,
): { flags: Record<string, string | boolean>; positional: string[] } {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const kind = spec[name];
    if (!kind)
      throw new ArgError(
        `unknown option --${name} (known: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (kind === 'boolean') flags[name] = true;
    else {
      const v = inline ?? args[++i];
      if (v === undefined) throw new ArgError(`--${name} needs a value`);
      flags[name] = v;
    }
  }
  return { flags, positional };
}

export class ArgError extends Error {}

/** For commands that take options only: a stray bare argument (a path typed by habit) must not start a bench or a GC. */
export function optionsOnly(positional: string[]): void {
  if (positional.length) throw new ArgError(`unexpected argument "${positional[0]}": this command takes options only`);
}

export function intFlag(v: string | boolean | undefined, name: string, fallback: number, range?: { min: number; max: number }): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ArgError(`--${name} must be a whole number, got ${String(v)}`);
  if (range && (n < range.min || n > range.max)) throw new ArgError(`--${name} must be between ${range.min} and ${range.max}, got ${n}`);
  return n;
}
