/** ANSI styling that turns itself off when the output is not a terminal or NO_COLOR is set. */
export interface Colours {
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  yellow(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

/** https://no-color.org: any non-empty NO_COLOR disables colour. */
export function colours(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): Colours {
  const on = stream.isTTY === true && !env.NO_COLOR;
  if (!on) return { dim: plain, bold: plain, red: plain, green: plain, cyan: plain, yellow: plain };
  return {
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
    yellow: wrap(33, 39),
  };
}
