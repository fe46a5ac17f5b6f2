import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOrigins, originsError, originsFieldError, parseOrigins } from '../src/lib/origins.js';

test('allowed origins: lines, commas and spaces separate them', () => {
  assert.deepEqual(parseOrigins(' https://a.example\nhttps://b.example, https://c.example \n\n'), ['https://a.example', 'https://b.example', 'https://c.example']);
  assert.deepEqual(parseOrigins(''), []);
  assert.deepEqual(parseOrigins(undefined), []);
  assert.equal(formatOrigins(['https://a.example', '*']), 'https://a.example\n*');
  assert.equal(formatOrigins(undefined), '');
});

test('allowed origins: checked before saving', () => {
  assert.equal(originsError(['*', 'https://shop.example.com', 'http://localhost:8080', 'https://*.example.org']), '');
  assert.match(originsError(['shop.example.com']), /not an origin/);
  assert.match(originsError(['https://shop.example.com/cart']), /path/);
  assert.match(originsError(['https://shop.example.com?x=1']), /path/);
});

test('allowed origins: the server error of an entry shows at the field', () => {
  assert.equal(originsFieldError({ 'allowed_origins[1]': 'bad' }), 'bad');
  assert.equal(originsFieldError({ allowed_origins: 'list' }), 'list');
  assert.equal(originsFieldError({ name: 'x' }), undefined);
});
