import { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.ts';
import { registerCalibrate } from './commands/calibrate.ts';
import { registerClusterCommands } from './commands/cluster.ts';
import { registerEval } from './commands/eval.ts';
import { registerFaceCommands } from './commands/faces.ts';
import { registerGalleryCommands } from './commands/gallery.ts';
import { registerKeys } from './commands/keys.ts';
import { registerModels } from './commands/models.ts';
import { registerServe } from './commands/serve.ts';
import { registerTrain } from './commands/train.ts';
import { registerWatch } from './commands/watch.ts';
import { withStreams } from '../video/index.ts';
import { createService, installWebPageOnNextServer } from '../service/index.ts';

// The CLI is a thin shell: each command file parses arguments and calls the library.
const program = new Command();
program.name('facekit').description('face detection, verification and identification on ONNX Runtime').showHelpAfterError();
registerModels(program);
registerFaceCommands(program);
registerAnalyze(program);
registerEval(program);
registerGalleryCommands(program);
registerCalibrate(program);
registerClusterCommands(program);
registerKeys(program);
registerTrain(program);
registerServe(program, withStreams(createService));
registerWatch(program);
// `facekit serve` also serves the web page at /
program.hook('preAction', (_program, command) => {
  if (command.name() === 'serve') installWebPageOnNextServer();
});
await program.parseAsync(process.argv);
