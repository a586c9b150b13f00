/**
 * The one argument parser of the `flowbook` commands. A command declares its options once (each
 * option's flag, type, short alias, default, check and help line) and gets from that declaration
 * its typed values, its help text and its usage errors, as a REST route gets its arguments from its
 * fields (`tracking/rest/fields.ts`). Node's `util.parseArgs` splits the command line into tokens;
 * the strict checks (unknown options, missing values, values on switches, stray arguments) are
 * made here against the declaration, so every command reports them in the same words.
 */
import { parseArgs } from "node:util";
import { limitProblem, parseSize } from "../notebook/index.ts";
// The URI check alone (pure), not the store's index, which would load the databases' drivers with every command.
import { storeUriProblem } from "../tracking/store/store-uri.ts";

/** A command line a command cannot run with; `Command.run` prints it above the help and exits 2. */
export class UsageError extends Error {}

type Scalar = string | number | boolean;

/**
 * One option, declared under its long flag (`"backend-store-uri"`); its value is found under the
 * flag in camelCase (`backendStoreUri`). Present when given or defaulted, else absent.
 */
export interface OptionSpec {
  /** `"string"` takes a value (`--port 5000`, `--port=5000`, `-p 5000`, `-p=5000`); `"boolean"` is a switch. */
  type: "string" | "boolean";
  /** One-letter alias (`-p`). */
  short?: string;
  /** A switch `--no-<flag>` also sets, to false. */
  negatable?: boolean;
  /** The value when the option is not given; a function reads it from the environment. */
  default?: Scalar | ((env: NodeJS.ProcessEnv) => Scalar);
  /** Not giving it is a usage error (`missing -m/--model-uri`). */
  required?: boolean;
  /** A string option that may be given many times (`-P a=1 -P b=2`); its value is the list, in order. */
  multiple?: boolean;
  /** Checks and converts a string option's text; throws `UsageError` when it is not valid. */
  parse?: (text: string) => unknown;
  /** The option's line in the help's option table (shown when any option of the command has one). */
  description?: string;
}

/** The one positional argument a command may take (`flowbook run <notebook.ts>`). */
export interface PositionalSpec {
  /** Its key among the values. */
  name: string;
  /** Makes the argument required: the usage error when it is absent. */
  missing?: string;
}

/** A command's declaration. */
export interface CommandSpec<O extends Record<string, OptionSpec>, P extends PositionalSpec | undefined> {
  /** How messages name the command (`flowbook models serve`). */
  name: string;
  /** The usage line(s), `usage: flowbook …`, that head the help (which follows every usage error). */
  usage: string;
  options: O;
  positional?: P;
  /** More help, about the positional argument when one is given with `--help` (the notebook's parameters). */
  moreHelp?: (positional: string | undefined) => string;
}

type Camel<K extends string> = K extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : K;
type One<S> = S extends { type: "boolean" } ? boolean : S extends { parse: (text: string) => infer T } ? T : string;
type ValueOf<S> = S extends { multiple: true } ? One<S>[] : One<S>;
type Always<S> = S extends { default: unknown } | { required: true } ? true : false;
type PositionalValue<P> = P extends { name: infer N extends string }
  ? P extends { missing: string }
    ? { [K in N]: string }
    : { [K in N]?: string }
  : unknown;
type Flat<T> = { [K in keyof T]: T[K] };

/** The values a declaration yields: camelCased flags (always there when defaulted or required), plus the positional. */
export type Values<O extends Record<string, OptionSpec>, P> = Flat<
  { [K in keyof O as Always<O[K]> extends true ? Camel<K & string> : never]: ValueOf<O[K]> } & {
    [K in keyof O as Always<O[K]> extends true ? never : Camel<K & string>]?: ValueOf<O[K]>;
  } & PositionalValue<P>
>;

/** A declared command: its help and its parser. */
export interface Command<V> {
  /** The help `--help` prints: the usage line(s), then the option table when options are described. */
  readonly help: string;
  /** Reads a command line; defaults may come from `env`. Throws `UsageError`. */
  parse(args: string[], env?: NodeJS.ProcessEnv): V;
  /**
   * Runs `body` with the parsed values and resolves to its exit code. `--help` (and `-h`, unless an
   * option claims it) prints the help, exit 0; a `UsageError` from parsing or from `body`'s own
   * checks prints `name: message` and the help, exit 2.
   */
  run(args: string[], body: (values: V) => Promise<number>): Promise<number>;
}

/** The values a declared command's body receives. */
export type ValuesOf<C> = C extends Command<infer V> ? V : never;

/** Checks a port number (0 to 65535; 0 picks a free port). */
export function port(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`invalid port '${text}'`);
  return Number(text);
}

/** Checks an output limit as people write it (`16MB`, `512KB`; see notebook/output-limits.ts) and returns it in bytes. */
export function outputLimit(text: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined) throw new UsageError(`invalid output limit '${text}'; expected a size like 16MB`);
  const problem = limitProblem("outputBytes", bytes);
  if (problem) throw new UsageError(`invalid output limit '${text}': ${problem.replace("outputBytes", "it")}`);
  return bytes;
}

/** The check of a store URI option (`--backend-store-uri`, `--tracking-uri`): `storeUriProblem`'s, as a usage error. */
export function storeUri(flag: string, opts: { http: boolean }): (text: string) => string {
  return (uri) => {
    const problem = storeUriProblem(flag, uri, opts);
    if (problem) throw new UsageError(problem);
    return uri;
  };
}

/** `--output-limit SIZE`, as every command that runs a notebook declares it. */
export const OUTPUT_LIMIT_OPTION = { type: "string", parse: outputLimit, description: "the largest output shown (default 8MB, or FLOWBOOK_OUTPUT_LIMIT)" } as const;

/** `--no-open`, as every command that serves a page declares it: BROWSER=none (as in other dev servers) counts as it. */
export const NO_OPEN_OPTION = { type: "boolean", default: (env: NodeJS.ProcessEnv) => env.BROWSER === "none", description: "only print the URL (also BROWSER=none)" } as const;

/** The environment variable that sets the app-wide output limit when `--output-limit` is not given. */
export const OUTPUT_LIMIT_ENV = "FLOWBOOK_OUTPUT_LIMIT";

/** The app-wide output limit: the flag's, else `FLOWBOOK_OUTPUT_LIMIT`'s, else none (the built-in default). Throws `UsageError`. */
export function appOutputLimit(flag: number | undefined, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (flag !== undefined) return flag;
  const text = env[OUTPUT_LIMIT_ENV];
  if (text === undefined || text === "") return undefined;
  try {
    return outputLimit(text);
  } catch (err) {
    throw new UsageError(`${OUTPUT_LIMIT_ENV}: ${(err as Error).message}`);
  }
}

const camel = (flag: string): string => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** Declares a command; see `CommandSpec`. */
export function command<const O extends Record<string, OptionSpec>, const P extends PositionalSpec | undefined = undefined>(
  spec: CommandSpec<O, P>,
): Command<Values<O, P>> {
  const declared = Object.entries(spec.options);
  // What parseArgs splits on: each flag with its alias, and `no-<flag>` for negatable switches.
  const tokenOptions: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  // parseArgs' option name → the declared option it sets, and the value a switch sets.
  const byName = new Map<string, { flag: string; option: OptionSpec; on: boolean }>();
  for (const [flag, option] of declared) {
    tokenOptions[flag] = { type: option.type, ...(option.short ? { short: option.short } : {}) };
    byName.set(flag, { flag, option, on: true });
    if (option.negatable) {
      tokenOptions[`no-${flag}`] = { type: "boolean" };
      byName.set(`no-${flag}`, { flag, option, on: false });
    }
  }
  const shortH = declared.some(([, o]) => o.short === "h");
  const tokenize = (args: string[]) =>
    parseArgs({ args, options: tokenOptions, strict: false, allowPositionals: true, tokens: true }).tokens;

  const described = declared.filter(([, o]) => o.description);
  const table = described.map(([flag, o]) => {
    const spelled = `${o.short ? `-${o.short}, ` : ""}--${o.negatable ? "[no-]" : ""}${flag}`;
    return `  ${spelled.padEnd(18)}  ${o.description}\n`;
  });
  const help = `${spec.usage}\n${table.length > 0 ? `\n${table.join("")}` : ""}`;

  const read = (args: string[], tokens: ReturnType<typeof tokenize>, env: NodeJS.ProcessEnv): Values<O, P> => {
    const values: Record<string, unknown> = {};
    for (const token of tokens) {
      if (token.kind === "option-terminator") continue;
      if (token.kind === "positional") {
        if (!spec.positional || spec.positional.name in values) throw new UsageError(`unexpected argument '${token.value}'`);
        values[spec.positional.name] = token.value;
        continue;
      }
      const target = byName.get(token.name);
      if (!target) throw new UsageError(`unknown option '${args[token.index]}'`);
      if (target.option.type === "boolean") {
        if (token.value !== undefined) throw new UsageError(`unexpected value for ${token.rawName}`);
        values[camel(target.flag)] = target.on;
        continue;
      }
      // `-p=5000` means `-p 5000`, as it always has here (parseArgs alone would read "=5000").
      let text = token.value;
      if (text !== undefined && token.inlineValue && !token.rawName.startsWith("--") && text.startsWith("=")) text = text.slice(1);
      if (text === undefined || text === "") throw new UsageError(`missing value for ${token.rawName}`);
      const value = target.option.parse ? target.option.parse(text) : text;
      const key = camel(target.flag);
      if (target.option.multiple) values[key] = [...((values[key] as unknown[] | undefined) ?? []), value];
      else values[key] = value;
    }
    if (spec.positional?.missing && !(spec.positional.name in values)) throw new UsageError(spec.positional.missing);
    for (const [flag, option] of declared) {
      const key = camel(flag);
      if (key in values) continue;
      if (option.required) throw new UsageError(`missing ${option.short ? `-${option.short}/` : ""}--${flag}`);
      if (option.default !== undefined) values[key] = typeof option.default === "function" ? option.default(env) : option.default;
    }
    return values as Values<O, P>;
  };

  return {
    help,
    parse: (args, env = process.env) => read(args, tokenize(args), env),
    async run(args, body) {
      try {
        const tokens = tokenize(args);
        if (tokens.some((t) => t.kind === "option" && (t.name === "help" || (t.rawName === "-h" && !shortH)))) {
          const positional = tokens.find((t) => t.kind === "positional")?.value;
          process.stdout.write(help + (spec.moreHelp?.(positional) ?? ""));
          return 0;
        }
        return await body(read(args, tokens, process.env));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`${spec.name}: ${error.message}\n\n${help}`);
        return 2;
      }
    },
  };
}
