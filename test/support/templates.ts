/**
 * Every template a test synthesizes through `Template.fromStack` is kept, so that cfn-lint (the real CloudFormation
 * schema checker, from the machine image's Python) can check them all once the suite has run.
 */
import * as path from 'path';

export const TEMPLATE_DIR = path.join(__dirname, '..', '..', '.tmp', 'synthesized-templates');
