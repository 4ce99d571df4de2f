import * as fs from 'fs';
import { TEMPLATE_DIR } from './templates';

export default function globalSetup(): void {
  fs.rmSync(TEMPLATE_DIR, { recursive: true, force: true });
}
