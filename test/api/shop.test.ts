/** The shop a printed valuation names: LOUPE_SHOP_* checked at start, served to the web app at /shop.json. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { webRoutes } from '../../src/api/routes/web.js';
import { DEFAULT_DISCLAIMER, parseShop } from '../../src/api/shop.js';

describe('LOUPE_SHOP_*', () => {
  it('defaults to no shop and the standard disclaimer; values are trimmed', () => {
    expect(parseShop({})).toEqual({ name: '', address: '', phone: '', disclaimer: DEFAULT_DISCLAIMER });
    expect(parseShop({ LOUPE_SHOP_NAME: '  Gioielleria F. ', LOUPE_SHOP_DISCLAIMER: 'Estimate only.' })).toMatchObject({
      name: 'Gioielleria F.',
      disclaimer: 'Estimate only.',
    });
  });

  it('refuses, naming the variable and the rule, a value too long to print or with a line break', () => {
    expect(() => parseShop({ LOUPE_SHOP_NAME: 'x'.repeat(121) })).toThrow(
      /LOUPE_SHOP_NAME is 121 characters long; at most 120/,
    );
    expect(() => parseShop({ LOUPE_SHOP_ADDRESS: 'Via Roma 1\nMilano' })).toThrow(
      /LOUPE_SHOP_ADDRESS contains a control character \(a line break\?\); write it on one line/,
    );
  });

  it('GET /shop.json answers the shop, without a key, never cached stale', async () => {
    const app = Fastify();
    await app.register(webRoutes, {
      shop: parseShop({ LOUPE_SHOP_NAME: 'Gioielleria F.', LOUPE_SHOP_PHONE: '+39 02 1' }),
    });
    const res = await app.inject({ method: 'GET', url: '/shop.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.json()).toEqual({
      name: 'Gioielleria F.',
      address: '',
      phone: '+39 02 1',
      disclaimer: DEFAULT_DISCLAIMER,
    });
    await app.close();
  });
});
