import { createTemplateDir } from './templates';

export default function globalSetup(): void {
  createTemplateDir();
}
