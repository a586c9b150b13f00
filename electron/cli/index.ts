/**
 * `flowbook <command>`: a dispatcher that loads only the module of the command asked for,
 * so `flowbook server` never pays for the kernel or the renderer build. Each command parses its
 * own arguments from its declaration (args.ts).
 */

interface Command {
  summary: string;
  run: (args: string[]) => Promise<number>;
}

const commands: Record<string, Command> = {
  server: {
    summary: "serve the MLflow-compatible tracking REST API (like `mlflow server`)",
    run: async (args) => (await import("./server.ts")).serverCommand(args),
  },
  run: {
    summary: "run a notebook top to bottom as a script",
    run: async (args) => (await import("./run.ts")).runCommand(args),
  },
  models: {
    summary: "serve a logged or registered model over MLflow's scoring protocol (`models serve -m URI`)",
    run: async (args) => (await import("./models-serve.ts")).modelsCommand(args),
  },
  export: {
    summary: "export a notebook as one self-contained HTML page (`export html nb.ts [-o out.html] [--no-code] [--run]`)",
    run: async (args) => (await import("./export.ts")).exportCommand(args),
  },
  edit: {
    summary: "open a notebook in the app (browser mode where Electron is absent)",
    run: async (args) => (await import("./edit.ts")).editCommand(args),
  },
  app: {
    summary: "serve a notebook read-only as an app: outputs and widgets, no code (like `marimo run`)",
    run: async (args) => (await import("./app.ts")).appCommand(args),
  },
  start: {
    summary: "open the app on notebooks/ (what `npm start` runs)",
    run: async (args) => (await import("./edit.ts")).startCommand(args),
  },
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ["usage: flowbook <command> [options]", "", "commands:", ...rows, ""].join("\n");
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`flowbook: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(args);
}
