/**
 * The command table: which module registers which top-level commands. `facekit <command>` imports
 * only that command's module (and so only the library it needs); the top-level help is drawn from
 * a manifest written at build time, so `--help` and `--version` import no command at all.
 */
import { Command } from 'commander';
import type { CreateService } from '../server/service.js';
import { packageVersion } from '../version.js';

interface CommandGroup {
  commands: readonly string[];
  register(program: Command): Promise<void>;
}

// the face service (models, workers, gallery) and the stream watcher load only for `serve`
const createServiceWithStreams: CreateService = async (opts) => {
  const [{ withStreams }, { createService }, { withFootage }] = await Promise.all([import('../video/index.js'), import('../service/index.js'), import('../strangers/service.js')]);
  return withFootage(withStreams(createService))(opts);
};

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { commands: ['models'], register: async (p) => (await import('./commands/models.js')).registerModels(p) },
  { commands: ['detect', 'represent', 'verify'], register: async (p) => (await import('./commands/faces.js')).registerFaceCommands(p) },
  { commands: ['analyze'], register: async (p) => (await import('./commands/analyze.js')).registerAnalyze(p) },
  { commands: ['eval'], register: async (p) => (await import('./commands/eval.js')).registerEval(p) },
  { commands: ['enroll', 'identify', 'people'], register: async (p) => (await import('./commands/gallery.js')).registerGalleryCommands(p) },
  { commands: ['calibrate'], register: async (p) => (await import('./commands/calibrate.js')).registerCalibrate(p) },
  { commands: ['cluster', 'find'], register: async (p) => (await import('./commands/cluster.js')).registerClusterCommands(p) },
  { commands: ['keys'], register: async (p) => (await import('./commands/keys.js')).registerKeys(p) },
  { commands: ['train'], register: async (p) => (await import('./commands/train.js')).registerTrain(p) },
  {
    commands: ['serve'],
    register: async (p) => {
      (await import('./commands/serve.js')).registerServe(p, createServiceWithStreams);
      // `facekit serve` also serves the web page at /
      p.hook('preAction', async (_program, command) => {
        if (command.name() === 'serve') (await import('../service/web-page.js')).installWebPageOnNextServer();
      });
    },
  },
  { commands: ['watch'], register: async (p) => (await import('./commands/watch.js')).registerWatch(p) },
  { commands: ['collections'], register: async (p) => (await import('./commands/collections.js')).registerCollections(p) },
  { commands: ['strangers', 'sightings', 'search-footage', 'correct', 'merge', 'unmerge'], register: async (p) => (await import('./commands/strangers.js')).registerStrangerCommands(p) },
];

export function newProgram(): Command {
  return new Command()
    .name('facekit')
    .description('face detection, verification and identification on ONNX Runtime')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError();
}

/** Every command registered: the whole CLI, for the manifest and when no manifest is built. */
export async function fullProgram(): Promise<Command> {
  const program = newProgram();
  for (const g of COMMAND_GROUPS) await g.register(program);
  return program;
}

/** What the top-level help shows of one command. */
export interface CommandSummary {
  name: string;
  term: string;
  description: string;
}

export const MANIFEST_URL = new URL('./commands.json', import.meta.url);

export function commandSummaries(program: Command): CommandSummary[] {
  const help = program.createHelp();
  return program.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: help.subcommandDescription(c) }));
}
