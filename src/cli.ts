#!/usr/bin/env node
// Program definition: every subcommand and flag, and the single top-level catch that turns a
// thrown error into `error: …` / `hint: …` on stderr and an exit code. Command modules are
// imported lazily inside their actions, so `--help` loads nothing else; `--version`, `status` and
// a well-formed `start` run without loading commander at all (start-up speed).
import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';
import type { StartFlags } from './launch/types.js';
import { restoreExtraCaCerts } from './util/ca-certs.js';
import { describeError, PawError, UsageError } from './util/errors.js';
import { packageVersion } from './util/self.js';

type Command = CommanderModule.Command;

/**
 * commander, loaded on first use (never for a lone `--version`) and with require: it is CommonJS,
 * and its ESM wrapper makes Node lex the whole library for named exports first, which costs
 * more than loading the library itself (~6 of ~13 ms).
 */
function commander(): typeof CommanderModule {
  return createRequire(import.meta.url)('commander') as typeof CommanderModule;
}

/** Parser for single-valued flags: giving one twice is a usage error, as upstream. */
function once(value: string, previous: string | undefined): string {
  if (previous !== undefined)
    throw new (commander().InvalidArgumentError)('this flag can be given only once.');
  return notAFlag(value);
}

/**
 * A flag's value must not look like a flag: `--cli --dry-run` is a missing value (a usage error,
 * as upstream), not a CLI called `--dry-run`.
 */
function notAFlag(value: string): string {
  if (value.startsWith('-'))
    throw new (commander().InvalidArgumentError)(`expected a value, not '${value}'.`);
  return value;
}

/** Splits `--branches a,b` and appends repeated flags: `--branches a --branches b`. */
function collectBranches(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...notAFlag(value).split(',')];
}

const QUICK_START = `
Quick Start:
  git paw                                             Pick branches and CLIs interactively
  git paw start --cli claude --branches feat/auth,feat/api
                                                      Launch without prompts
  git paw status                                      Show the session of this repo
  git paw stop                                        Stop tmux, keep worktrees and state
  git paw purge                                       Remove session, worktrees and state
  git paw demo                                        Try it without any AI CLI`;

const START_EXAMPLES = `
Examples:
  git paw start                                       Interactive: pick branches, then CLIs
  git paw start --cli claude                          Same CLI everywhere, pick branches
  git paw start --branches feat/a,feat/b              Pick CLIs, branches given
  git paw start --cli claude --branches feat/a,feat/b Fully non-interactive
  git paw start --preset backend                      Branches and CLI from [presets.backend]
  git paw start --from-specs                          One agent per pending spec
  git paw start --dry-run --cli claude --branches x   Print the plan, create nothing
  git paw start --no-attach --cli claude --branches x Launch and leave the session detached
  git paw start --rerun-setup                         Recover, running setup in every worktree`;

function startOptions(command: Command): Command {
  return command
    .option('--cli <CLI>', 'AI CLI to run in every pane (skips the CLI picker)', once)
    .option(
      '--branches <BRANCHES>',
      'comma-separated branches (skips the branch picker; repeatable)',
      collectBranches,
    )
    .option('--from-specs', 'launch one agent per pending spec from the [specs] directory')
    .option('--dry-run', 'print the session plan and exit without creating anything')
    .option('--preset <PRESET>', 'take branches and CLI from a [presets.<name>] config entry', once)
    .option('--no-attach', 'do not attach; print how to attach and exit 0')
    .option(
      '--rerun-setup',
      'run [worktree] setup again in every pane, also in worktrees that already exist',
    );
}

async function runStartCommand(flags: StartFlags): Promise<void> {
  const { runStart } = await import('./commands/start.js');
  await runStart(flags);
}

function buildProgram(): Command {
  const program = new (commander().Command)('git-paw');
  program
    .description(
      'Parallel AI Worktrees — orchestrate multiple AI coding CLI sessions across git worktrees.\n\n' +
        'Runs several AI coding CLIs side by side, each in its own git worktree and tmux pane, with a local ' +
        'broker through which the agents tell each other what they are doing. Without a subcommand, ' +
        '`git paw` behaves like `git paw start`.',
    )
    .version(`git-paw ${packageVersion()}`, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .addHelpCommand('help [command]', 'print help for a command')
    .addHelpText('after', QUICK_START)
    .showSuggestionAfterError(true)
    .allowExcessArguments(true)
    .action(() => {
      const [unknown] = program.args;
      if (unknown !== undefined) {
        throw new UsageError(`unknown command '${unknown}'`, {
          hint: 'run `git paw --help` to see the commands',
        });
      }
      return runStartCommand({ attach: true });
    });

  startOptions(
    program
      .command('start')
      .allowExcessArguments(false)
      .description('Launch, reattach to or recover the session of this repo (the default command)')
      .addHelpText(
        'after',
        '\nReattaches when the session is running, recovers it when it was stopped or crashed,\n' +
          'and launches a new one otherwise.\n' +
          START_EXAMPLES,
      ),
  ).action((flags: StartFlags) => runStartCommand(flags));

  program
    .command('stop')
    .description('Stop the tmux session and the broker; keep worktrees and state')
    .action(async () => (await import('./commands/stop.js')).runStop());

  program
    .command('purge')
    .description('Remove the session, its worktrees and state (keeps unmerged branches and logs)')
    .option('--force', 'skip the confirmation prompt')
    .action(async (flags: { force?: boolean }) => (await import('./commands/purge.js')).runPurge(flags));

  program
    .command('status')
    .description('Show the session of this repo, its worktrees and its agents')
    .option('--json', 'print the status as JSON')
    .option('--why <agent>', 'show the last state signals of one agent and which one decided its state')
    .action((flags: { json?: boolean; why?: string }) => runStatusCommand(flags));

  program
    .command('conflicts')
    .description('Show which agents of the session collide (same files, or commits that will not merge)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { json?: boolean }) =>
      (await import('./commands/conflicts.js')).runConflicts(flags),
    );

  program
    .command('list-clis')
    .description('Show detected and custom AI CLIs')
    .action(async () => (await import('./commands/list-clis.js')).runListClis());

  program
    .command('add-cli')
    .description('Register a custom CLI in the global config')
    .argument('<NAME>', 'name of the CLI (used with --cli)')
    .argument('<COMMAND>', 'absolute path, or a command found on PATH')
    .option('--display-name <DISPLAY_NAME>', 'name shown in pickers', once)
    .action(async (name: string, command: string, flags: { displayName?: string }) =>
      (await import('./commands/add-cli.js')).runAddCli(name, command, flags),
    );

  program
    .command('remove-cli')
    .description('Unregister a custom CLI from the global config')
    .argument('<NAME>', 'name of the custom CLI')
    .action(async (name: string) => (await import('./commands/remove-cli.js')).runRemoveCli(name));

  program
    .command('init')
    .description('Create .git-paw/ with a default config, a logs directory and a .gitignore entry')
    .action(async () => (await import('./commands/init.js')).runInit());

  program
    .command('replay')
    .description('Show captured pane logs of a session (escape codes stripped unless --color)')
    .argument('[BRANCH]', 'branch, log name or unique part of one')
    .option('--list', 'list log sessions and their branches')
    .option('--color', 'show raw colours through less -R')
    .option('--session <SESSION>', 'log session to read (default: the most recent)', once)
    .action(
      async (branch: string | undefined, flags: { list?: boolean; color?: boolean; session?: string }) => {
        if (!flags.list && branch === undefined) {
          program.commands
            .find((c) => c.name() === 'replay')
            ?.error("error: missing required argument 'BRANCH'", {
              exitCode: 2,
              code: 'commander.missingArgument',
            });
        }
        await (await import('./commands/replay.js')).runReplay(branch, flags);
      },
    );

  program
    .command('send')
    .description("Type a prompt into an agent's pane without attaching, and report whether it arrived")
    .argument('<agent-and-text...>', 'agent id or branch (or a unique part of one), then the prompt')
    .option('--all', 'send to every agent of the session (all arguments are the prompt)')
    .option('--timeout <seconds>', 'how long to wait for the agent to take the prompt (default 30)', once)
    .action(async (words: string[], flags: { all?: boolean; timeout?: string }) =>
      (await import('./commands/send.js')).runSend(words, flags),
    );

  program
    .command('dashboard')
    .description("Open the live dashboard of this repo's session in this terminal")
    .action(async () => (await import('./commands/dashboard.js')).runDashboard());

  program
    .command('next')
    .description('Go to the pane of the agent that most needs you (waiting, error, blocked, finished)')
    .option('--client <CLIENT>', 'tmux client to move (default: the one this runs in)', once)
    .action(async (flags: { client?: string }) => (await import('./commands/next.js')).runNext(flags));

  program
    .command('jump')
    .description("Go to an agent's pane")
    .argument('<AGENT>', 'agent id or branch, or a unique part of one')
    .option('--client <CLIENT>', 'tmux client to move (default: the one this runs in)', once)
    .action(async (target: string, flags: { client?: string }) =>
      (await import('./commands/jump.js')).runJump(target, flags),
    );

  program
    .command('demo')
    .description('Launch a throwaway demo session with built-in agents (no AI CLI needed)')
    .option('--no-attach', 'do not attach; print how to attach and exit 0')
    .option('--clean', 'remove everything a demo created')
    .action(async (flags: { attach: boolean; clean?: boolean }) =>
      (await import('./commands/demo.js')).runDemo(flags),
    );

  program
    .command('mcp')
    .description("Relay MCP over stdio to this agent's tools on the session broker (see docs/mcp.md)")
    .action(async () => (await import('./mcp/bridge.js')).runMcpBridge());

  program
    .command('__broker', { hidden: true })
    .description('internal: run the broker server of a session in this process')
    .action(async () => (await import('./broker/server/run.js')).runBrokerServer());

  return program;
}

function printError(error: PawError): void {
  process.stderr.write(`error: ${error.message}\n`);
  if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
}

async function runStatusCommand(flags: { json?: boolean; why?: string }): Promise<void> {
  await (await import('./commands/status.js')).runStatus(flags);
}

/**
 * The flags of a well-formed `start` command line, read without commander; undefined for anything
 * else (help, `--flag=value`, a value that looks like a flag, a repeated single-valued flag, an
 * unknown argument), which commander then parses and reports exactly as always.
 */
function plainStartFlags(args: readonly string[]): StartFlags | undefined {
  const flags: StartFlags = { attach: true };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--from-specs') flags.fromSpecs = true;
    else if (arg === '--dry-run') flags.dryRun = true;
    else if (arg === '--no-attach') flags.attach = false;
    else if (arg === '--rerun-setup') flags.rerunSetup = true;
    else if (arg === '--cli' || arg === '--preset' || arg === '--branches') {
      const value = args[index + 1];
      if (value === undefined || value === '' || value.startsWith('-')) return undefined;
      index += 1;
      if (arg === '--branches') flags.branches = collectBranches(value, flags.branches);
      else if (arg === '--cli' && flags.cli === undefined) flags.cli = value;
      else if (arg === '--preset' && flags.preset === undefined) flags.preset = value;
      else return undefined;
    } else return undefined;
  }
  return flags;
}

/**
 * Exact command lines answered without loading commander (start-up speed): a plainly spelled
 * `start`, a lone `--version`/`-V`, `status` with or without `--json`, and the broker's own
 * `__broker`. Every other line, `status --help` included, goes through the full program below.
 */
function fastPath(argv: readonly string[]): (() => Promise<void>) | undefined {
  if (argv[0] === 'start') {
    const flags = plainStartFlags(argv.slice(1));
    if (flags) return () => runStartCommand(flags);
  }
  const [first, second, ...rest] = argv;
  if (rest.length > 0) return undefined;
  if ((first === '--version' || first === '-V') && second === undefined) {
    return async () => {
      process.stdout.write(`git-paw ${packageVersion()}\n`);
    };
  }
  if (first === 'status' && (second === undefined || second === '--json')) {
    return () => runStatusCommand(second === undefined ? {} : { json: true });
  }
  // The command of broker windows that sessions of earlier git-paw versions still run: the loop
  // there starts it again after every exit, so it must still serve (today's windows run the
  // server directly, see broker/client/keeper.ts).
  if (first === '__broker' && second === undefined) {
    return async () => (await import('./broker/server/run.js')).runBrokerServer();
  }
  return undefined;
}

async function parseAndRun(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(argv, { from: 'user' });
}

async function main(argv: string[]): Promise<number> {
  try {
    await (fastPath(argv) ?? (() => parseAndRun(argv)))();
    return 0;
  } catch (error) {
    if (error instanceof PawError) {
      printError(error);
      return error.exitCode;
    }
    if (error instanceof commander().CommanderError) {
      if (error.exitCode === 0) return 0;
      // Commander already printed its one-line message; usage errors exit 2.
      return 2;
    }
    if (process.env.GIT_PAW_DEBUG === '1') {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    } else {
      process.stderr.write(`error: ${describeError(error)}\nhint: run with GIT_PAW_DEBUG=1 for details\n`);
    }
    return 1;
  }
}

// Before anything starts a process: tmux, and through it the agents, need the user's CA bundle.
restoreExtraCaCerts();
// Exit explicitly: idle keep-alive sockets (fetch) must not hold the process open.
process.exit(await main(process.argv.slice(2)));
