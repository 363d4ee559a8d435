import { Command } from 'commander';
import { registerAnalyze } from './commands/analyze.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerEval } from './commands/eval.js';
import { registerFaceCommands } from './commands/faces.js';
import { registerGalleryCommands } from './commands/gallery.js';
import { registerKeys } from './commands/keys.js';
import { registerModels } from './commands/models.js';
import { registerServe } from './commands/serve.js';
import { registerTrain } from './commands/train.js';
import { registerWatch } from './commands/watch.js';
import { withStreams } from '../video/index.js';
import { createService, installWebPageOnNextServer } from '../service/index.js';

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
