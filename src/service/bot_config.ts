// Bot definitions: loads every file in configs/bots (all bad files reported at once); the entry point.

import { loadStrategies } from "../engine/strategy_registry.ts";
import {
  type BotConfig,
  BotConfigError,
  type BotConfigIssue,
  parseBotConfig,
  type ParseBotConfigOptions,
} from "./bot_config_parse.ts";
import { configFormat, parseConfigText } from "./config_text.ts";

export {
  type BotConfig,
  BotConfigError,
  type BotConfigIssue,
  formatIssue,
  parseBotConfig,
  type ParseBotConfigOptions,
} from "./bot_config_parse.ts";
export { BOT_DEFAULTS, BOT_FIELDS } from "./bot_config_schema.ts";

/** The folder bot definitions are read from, relative to the working directory. */
export const BOT_CONFIG_DIR = "configs/bots";

/**
 * What is wrong with a configs folder that defines no bot, or undefined when it holds at least
 * one bot file (`*.yaml`, `*.yml`, `*.json`): it does not exist, is not a folder, or is empty.
 * The message names the folder.
 */
export async function configsFolderProblem(dir: string): Promise<string | undefined> {
  try {
    if (!(await Deno.stat(dir)).isDirectory) return `The configs folder ${dir} is not a folder`;
    for await (const e of Deno.readDir(dir)) {
      if (!e.isDirectory && !/^[._]/.test(e.name) && configFormat(e.name)) return undefined;
    }
    return `The configs folder ${dir} holds no bot file (*.yaml, *.yml or *.json)`;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return `The configs folder ${dir} does not exist`;
    throw err;
  }
}

/** Options of {@link loadBotConfigs}. */
export type LoadBotConfigsOptions = ParseBotConfigOptions;

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` file in `dir` (other files, and names starting with
 * "." or "_", are skipped) and returns the bots sorted by id. A missing folder means no bots.
 * Every problem in every file (syntax with its line, bad fields with their paths, a bot id used
 * by two files) is collected into one {@link BotConfigError}. Sources are `dir` + "/" + the
 * file name, so pass the folder as you want it named in messages.
 *
 * @example
 * ```ts
 * const bots = await loadBotConfigs("configs/bots");
 * for (const b of bots) console.log(b.botId, b.strategy, b.symbol, b.timeframe);
 * ```
 */
export async function loadBotConfigs(
  dir: string = BOT_CONFIG_DIR,
  options: LoadBotConfigsOptions = {},
): Promise<BotConfig[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory || /^[._]/.test(e.name) || !configFormat(e.name)) continue;
      names.push(e.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  names.sort();
  const strategies = options.strategies ?? await loadStrategies();
  const base = dir.replace(/\/+$/, "");
  const issues: BotConfigIssue[] = [];
  const bots: BotConfig[] = [];
  for (const name of names) {
    const source = `${base}/${name}`;
    const text = await Deno.readTextFile(source);
    if (text.trim() === "") {
      issues.push({ source, path: "", message: "The file is empty: define a bot or delete it" });
      continue;
    }
    const parsed = parseConfigText(text, configFormat(name)!);
    if (!parsed.ok) {
      issues.push({
        source,
        path: "",
        line: parsed.position?.line,
        column: parsed.position?.column,
        message: `${parsed.message}; fix the ${configFormat(name)!.toUpperCase()} syntax`,
      });
      continue;
    }
    try {
      bots.push(await parseBotConfig(parsed.value, source, { strategies, env: options.env }));
    } catch (err) {
      if (!(err instanceof BotConfigError)) throw err;
      issues.push(...err.issues);
    }
  }
  const seen = new Map<string, string>();
  for (const b of bots) {
    const first = seen.get(b.botId);
    if (first === undefined) seen.set(b.botId, b.source);
    else {
      issues.push({
        source: b.source,
        path: "bot_id",
        message: `Bot id "${b.botId}" is also used by ${first}: give each bot its own id`,
      });
    }
  }
  if (issues.length) throw new BotConfigError(issues);
  return bots.sort((a, b) => (a.botId < b.botId ? -1 : a.botId > b.botId ? 1 : 0));
}
