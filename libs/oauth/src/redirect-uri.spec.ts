import { redirectUriProblem } from './redirect-uri';

describe('redirectUriProblem', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com:8443/cb?tenant=1',
    'http://127.0.0.1:8080/cb',
    'http://[::1]/cb',
    'http://localhost:3000/callback',
  ])('accepts %s', (uri) => expect(redirectUriProblem(uri)).toBeUndefined());

  it.each([
    ['http://app.example.com/cb', 'must use https (http only on loopback)'],
    ['https://*.example.com/cb', 'must not contain wildcards'],
    ['https://app.example.com/cb#frag', 'must not have a fragment'],
    ['https://user:pw@app.example.com/cb', 'must not carry user info'],
    ['/relative/cb', 'must be an absolute URI'],
    ['javascript:alert(1)', 'must use https (http only on loopback)'],
    ['', 'must be a URI'],
    [42, 'must be a URI'],
  ])('refuses %s: %s', (uri, problem) => expect(redirectUriProblem(uri)).toBe(problem));
});
