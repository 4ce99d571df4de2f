// setupFilesAfterEnv: keeps each template a test inspects (see templates.ts).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { templateDir } from './templates';

const fromStack = Template.fromStack.bind(Template);
Template.fromStack = (...args: Parameters<typeof Template.fromStack>) => {
  const template = fromStack(...args);
  const json = JSON.stringify(template.toJSON(), undefined, 1);
  const name = `${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json`;
  const dir = templateDir();
  if (dir) fs.writeFileSync(path.join(dir, name), json);
  return template;
};
