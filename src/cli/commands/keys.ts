import type { Command } from 'commander';
import { createKey, listKeys, revokeKey } from '../../server/keys/manage.js';
import { parseCollections, parseScopes } from '../../server/keys/scopes.js';
import { defaultKeysFile, FileKeyStore } from '../../server/keys/store.js';
import { action, printJson } from '../run.js';

interface FileOpt { keysFile?: string }

function store(opts: FileOpt): FileKeyStore {
  return new FileKeyStore(opts.keysFile ?? defaultKeysFile());
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for `facekit serve`: create, list, revoke (stored hashed)');
  const fileOption = ['--keys-file <file>', `keys file (default: $FACEKIT_KEYS_FILE or ${defaultKeysFile()})`] as const;

  keys
    .command('create')
    .description('create a key; the key is printed once and only its hash is kept')
    .requiredOption('--scope <scopes>', 'comma-separated scopes: read, write, admin (admin implies all)')
    .option('--name <name>', 'a label to recognise the key by')
    .option('--collection <names>', 'limit the key to these comma-separated gallery collections (default: every collection)')
    .option(...fileOption)
    .option('--json', 'print {token, key} as JSON')
    .action(action(async (opts: FileOpt & { scope: string; name?: string; collection?: string; json?: boolean }) => {
      const s = store(opts);
      const created = await createKey(s, { scopes: parseScopes(opts.scope), name: opts.name, collections: opts.collection === undefined ? undefined : parseCollections(opts.collection) });
      if (opts.json) return printJson(created);
      console.log(created.token);
      const limited = created.key.collections ? ` limited to collections ${created.key.collections.join(',')}` : '';
      process.stderr.write(`created key ${created.key.id} [${created.key.scopes.join(',')}]${limited} in ${s.path}\nstore the key now: it cannot be shown again\n`);
    }));

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--all', 'include revoked keys')
    .option(...fileOption)
    .option('--json', 'print the list as JSON')
    .action(action(async (opts: FileOpt & { all?: boolean; json?: boolean }) => {
      const rows = await listKeys(store(opts), { includeRevoked: opts.all });
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return console.log('no keys: the server runs in protected mode (loopback only, no auth)');
      console.log(`${'id'.padEnd(18)}${'scopes'.padEnd(20)}${'created'.padEnd(26)}name`);
      for (const k of rows) {
        const scopes = k.scopes.join(',') + (k.revokedAt ? ' (revoked)' : '');
        console.log(`${k.id.padEnd(18)}${scopes.padEnd(20)}${k.createdAt.padEnd(26)}${k.name}${k.collections ? `  [collections ${k.collections.join(',')}]` : ''}`);
      }
    }));

  keys
    .command('revoke <id>')
    .description('revoke a key by id; running servers refuse it from the next request')
    .option(...fileOption)
    .action(action(async (id: string, opts: FileOpt) => {
      await revokeKey(store(opts), id);
      console.log(`revoked ${id}`);
    }));
}
