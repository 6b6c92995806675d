/**
 * The shop whose appraisers use this Loupe, as its printed valuations name it: set by LOUPE_SHOP_NAME,
 * LOUPE_SHOP_ADDRESS, LOUPE_SHOP_PHONE and LOUPE_SHOP_DISCLAIMER, served to the web app at /shop.json (it is
 * the app's presentation, not data a partner needs, so it is not part of /v1).
 */
import { DEFAULT_DISCLAIMER } from '../diamond/index.js';

export interface Shop {
  /** Empty: the printout says "Appraised by Loupe". */
  name: string;
  address: string;
  phone: string;
  /** The short text at the foot of a printed valuation. */
  disclaimer: string;
}

// The standard disclaimer lives beside the price basis it must agree with (the web app prints it when /shop.json
// cannot be read).
export { DEFAULT_DISCLAIMER };

const LIMITS = { name: 120, address: 200, phone: 40, disclaimer: 600 } as const;
const VARIABLES = {
  name: 'LOUPE_SHOP_NAME',
  address: 'LOUPE_SHOP_ADDRESS',
  phone: 'LOUPE_SHOP_PHONE',
  disclaimer: 'LOUPE_SHOP_DISCLAIMER',
} as const;

/** The shop from the environment, or an error naming the variable, what was wrong and what is allowed. */
export function parseShop(env: Record<string, string | undefined>): Shop {
  const shop: Shop = { name: '', address: '', phone: '', disclaimer: DEFAULT_DISCLAIMER };
  for (const field of Object.keys(VARIABLES) as (keyof Shop)[]) {
    const text = env[VARIABLES[field]]?.trim();
    if (!text) continue;
    if (text.length > LIMITS[field])
      throw new Error(`${VARIABLES[field]} is ${text.length} characters long; at most ${LIMITS[field]} are printed`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(text))
      throw new Error(`${VARIABLES[field]} contains a control character (a line break?); write it on one line`);
    shop[field] = text;
  }
  return shop;
}
