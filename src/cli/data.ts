// `deno task data <command>`: download, import, export, synth, resample, check, list.

import { ConfigError } from "../core/errors.ts";
import { runMain } from "./args.ts";
import type { DataCommand } from "./data_command.ts";
import { checkCommand, listCommand } from "./data_inspect.ts";
import { downloadCommand } from "./data_download.ts";
import { exportCommand, importCommand } from "./data_files.ts";
import { resampleCommand, synthCommand } from "./data_make.ts";

const COMMANDS: Record<string, DataCommand> = {
  download: downloadCommand,
  import: importCommand,
  export: exportCommand,
  synth: synthCommand,
  resample: resampleCommand,
  check: checkCommand,
  list: listCommand,
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return [
    "Usage: deno task data <command> [flags]   (every command takes --db PATH)",
    "",
    ...lines,
    "",
    'Run "deno task data <command> --help" for a command\'s flags.',
  ].join("\n");
}

/** Runs the data CLI with `argv`; returns the exit code. */
export async function dataMain(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) throw new ConfigError(`Unknown data command "${name}".\n${help()}`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`Usage: deno task data ${name} ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  return await cmd.run(rest);
}

if (import.meta.main) runMain(() => dataMain(Deno.args));
