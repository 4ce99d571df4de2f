// warm_botocore.py, imported as the warm Python server imports it: a preloaded file's data goes to one caller only, and
// a service listing is shared only where every place it looks is the installed packages' data.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pythonExecutable } from './warm-python';

const PROGRAM = `
import json, os, sys
import awscli.clidriver
from botocore import loaders
unpatched_list = loaders.Loader.list_available_services
sys.path.insert(0, sys.argv[1])
import warm_botocore
endpoints = os.path.join(os.path.dirname(loaders.__file__), 'data', 'endpoints')
preloaded = warm_botocore._parsed[endpoints]
missing = os.path.join(os.path.dirname(awscli.__file__), 'data', 'endpoints')
reader = loaders.JSONFileLoader()
first, second = reader.load_file(endpoints), reader.load_file(endpoints)
session_loader = loaders.create_loader(os.environ['AWS_DATA_PATH'])
extra = loaders.create_loader(os.pathsep.join([os.environ['AWS_DATA_PATH'], sys.argv[2]]))
print(json.dumps({
  'first is the preloaded data': first is preloaded,
  'second is read again': second is not first and second == first,
  'a preloaded missing file is missing for every caller': [warm_botocore._parsed[missing], reader.load_file(missing), reader.load_file(missing), missing in warm_botocore._parsed],
  'listing as unpatched': session_loader.list_available_services('service-2') == unpatched_list(loaders.create_loader(os.environ['AWS_DATA_PATH']), 'service-2'),
  'listing memoized': tuple(session_loader.list_available_services('service-2')) in warm_botocore._services.values(),
  'a user model is listed': 'zzuser' in extra.list_available_services('service-2'),
}))
`;

test('preloaded data goes to its first taker; listings are shared only for the installed data directories', () => {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'warm-botocore-'));
  try {
    fs.mkdirSync(path.join(models, 'zzuser', '2020-01-01'), { recursive: true });
    fs.writeFileSync(path.join(models, 'zzuser', '2020-01-01', 'service-2.json'), '{}');
    const result = spawnSync(pythonExecutable(), ['-c', PROGRAM, __dirname, models], {
      encoding: 'utf8', env: { PATH: process.env.PATH, HOME: models, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      'first is the preloaded data': true,
      'second is read again': true,
      'a preloaded missing file is missing for every caller': [null, null, null, true],
      'listing as unpatched': true,
      'listing memoized': true,
      'a user model is listed': true,
    });
  } finally {
    fs.rmSync(models, { recursive: true, force: true });
  }
});
