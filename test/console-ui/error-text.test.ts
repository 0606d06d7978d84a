import { describe, expect, it } from 'vitest';
import { ApiError } from '../../packages/console/src/api/client.js';
import { accessDeniedHint, describeError } from '../../packages/console/src/api/error-text.js';

describe('describeError', () => {
  it("shows the API's code and message", () => {
    expect(describeError(new ApiError(409, 'KeyDisabled', 'The key is disabled.'))).toBe('KeyDisabled: The key is disabled.');
  });

  it("says an AccessDenied from a function comes from the key's own policy", () => {
    const text = describeError(new ApiError(403, 'AccessDenied', 'The caller is not a user of this key, and holds no grant for this use.'));
    expect(text).toMatch(/^AccessDenied: The caller is not a user of this key/);
    expect(text).toContain("The key's own policy");
  });

  it("says an AccessDenied from the gateway is the caller's IAM policy", () => {
    const message = 'User: arn:aws:iam::111122223333:user/stranger is not authorized to perform: execute-api:Invoke on resource: arn:…';
    expect(accessDeniedHint(message)).toMatch(/IAM identity lacks the API's caller policy/);
  });

  it('adds nothing it cannot tell', () => {
    expect(describeError(new ApiError(403, 'AccessDenied', 'The request is not signed by a known principal.'))).toBe(
      'AccessDenied: The request is not signed by a known principal.',
    );
    expect(describeError(new Error('offline'))).toBe('offline');
  });
});
