import { describe, expect, it } from '@jest/globals';
import { pageAfterSignIn } from './next-path';

const portal = 'https://portal.example';

describe(pageAfterSignIn.name, () => {
  it.each([
    ['/paths', `${portal}/paths`],
    ['/nodes/1?tab=members#top', `${portal}/nodes/1?tab=members#top`],
    ['paths', `${portal}/paths`],
    [`${portal}/jobs`, `${portal}/jobs`],
    // %5C stays an encoded backslash inside this portal's path.
    ['/%5Cevil.example', `${portal}/%5Cevil.example`],
    ['/.//evil.example', `${portal}//evil.example`],
    // A scheme without slashes, the same as the portal's, is a path relative to it.
    ['https:evil.example', `${portal}/evil.example`],
  ])('keeps %j on the portal: %s', (next, expected) => {
    expect(pageAfterSignIn(next, portal)).toBe(expected);
  });

  it.each([
    null,
    '',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    'https://evil.example',
    'http://portal.example',
    'https://portal.example.evil.example/',
    'https://portal.example@evil.example/',
    '//portal.example@evil.example',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/\t/evil.example',
    '/\n/evil.example',
    ' //evil.example',
    '\u0000//evil.example',
    '\t\\\\evil.example',
    'http:evil.example',
    'https:/\\evil.example',
  ])('sends %j to the start page', (next) => {
    expect(pageAfterSignIn(next, portal)).toBe(`${portal}/`);
  });
});
