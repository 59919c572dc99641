/**
 * Colours the owner sets (the accent, light and dark) checked against WCAG 2 contrast:
 * links and buttons use the accent on the theme's backgrounds, so it must reach AA for
 * normal text (4.5:1) on each of them.
 */

/** The default theme's page and card backgrounds (site.css; colour.test.ts keeps them in step). */
export const THEME_BACKGROUNDS = {
  light: ['#fbfaf7', '#ffffff'],
  dark: ['#161513', '#1f1d1a'],
} as const;

export type Scheme = keyof typeof THEME_BACKGROUNDS;

/** WCAG AA for normal-size text. */
export const AA_CONTRAST = 4.5;

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** "#1D4ED8" or "#abc" → "#1d4ed8" / "#aabbcc"; null when it is no hex colour. */
export function normalHex(value: string): string | null {
  const v = value.trim();
  if (!HEX.test(v)) return null;
  const digits = v.slice(1).toLowerCase();
  return `#${digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits}`;
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** The WCAG 2 contrast ratio of two hex colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [luminance(normalHex(a)!), luminance(normalHex(b)!)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** The lowest contrast of a colour against the scheme's backgrounds. */
export function contrastOn(colour: string, scheme: Scheme): number {
  return Math.min(...THEME_BACKGROUNDS[scheme].map((bg) => contrastRatio(colour, bg)));
}

/** Why an accent for this scheme is refused, or null when it will do ('' keeps the theme's). */
export function accentProblem(value: string, scheme: Scheme): string | null {
  if (value.trim() === '') return null;
  const hex = normalHex(value);
  if (!hex) return `Write the ${scheme} accent as a hex colour such as ${scheme === 'light' ? '#1d4ed8' : '#93c5fd'}.`;
  const ratio = contrastOn(hex, scheme);
  if (ratio >= AA_CONTRAST) return null;
  return `The ${scheme} accent ${hex} has a contrast of ${(Math.floor(ratio * 10) / 10).toFixed(1)}:1 on the ${scheme} background; links need at least 4.5:1. Choose a ${scheme === 'light' ? 'darker' : 'lighter'} colour.`;
}
