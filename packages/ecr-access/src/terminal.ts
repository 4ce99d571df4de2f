// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Text for a terminal. Names the tool prints come from the assembly and the command line (file names, construct
 * paths, keys): a control byte in one (ESC, CSI, a carriage return) could recolour, move or erase what the terminal
 * shows, so each is printed as its JSON escape (`\u001b`), which also keeps JSON output valid.
 */
export function printable(text: string): string {
  // C0 controls, DEL and C1 controls (0x9b is a one-byte CSI to some terminals).
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
