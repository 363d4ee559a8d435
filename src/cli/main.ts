import { existsSync, readFileSync } from 'node:fs';
import { COMMAND_GROUPS, fullProgram, MANIFEST_URL, newProgram, type CommandSummary } from './program.js';

// The CLI is a thin shell: each command file parses arguments and calls the library. Only the
// command named on the line is loaded; without one (help, --version) none is, when the build
// left a manifest of their summaries.
const args = process.argv.slice(2);
const named = args.find((a) => !a.startsWith('-'));
const group = COMMAND_GROUPS.find((g) => named !== undefined && g.commands.includes(named));

let program;
if (group) {
  program = newProgram();
  await group.register(program);
} else if ((named === undefined || named === 'help') && existsSync(MANIFEST_URL)) {
  program = newProgram();
  const summaries = JSON.parse(readFileSync(MANIFEST_URL, 'utf8')) as CommandSummary[];
  for (const s of summaries) program.command(s.name).description(s.description);
  const terms = new Map(summaries.map((s) => [s.name, s.term]));
  program.configureHelp({ subcommandTerm: (c) => terms.get(c.name()) ?? c.name() });
  if (named === 'help' && args.length > 1) program = await fullProgram();
} else {
  program = await fullProgram();
}
await program.parseAsync(process.argv);
