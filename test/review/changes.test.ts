import { describe, expect, it } from 'vitest';
import type { Answer } from '../../scripts/review/answers.js';
import { accessChanges, changesInWords } from '../../scripts/review/changes.js';
import type { AccessReport } from '../../scripts/review/report.js';

/** A report of one resource, one principal and the given columns' answers, with one promise. */
function reportWith(answers: Readonly<Record<string, Answer>>, promiseHolds = true): AccessReport {
  return {
    deployment: {
      stage: 'dev',
      account: '111122223333',
      region: 'us-east-1',
      callers: [],
      keyAdministrators: 'arn:aws:iam::111122223333:role/admins',
    },
    conditions: { viaDynamoDB: 'through DynamoDB', context: 'with the context' },
    principals: [{ id: 'function:keys', label: "keys function's role", group: 'function', arn: 'arn:aws:iam::111122223333:role/keys' }],
    invariants: [{ id: 'promise', statement: 'Nothing widens.', holds: promiseHolds, exceptions: [] }],
    resources: [
      {
        id: 'storage-key',
        title: 'Storage key',
        stack: 'EnvelopeData',
        arn: 'arn:aws:kms:us-east-1:111122223333:key/x',
        policy: 'its key policy',
        columns: Object.keys(answers).map((label) => ({ label, action: label, resource: '*', accessLevel: 'Write', cryptographic: true })),
        answers: { 'function:keys': answers },
      },
    ],
  };
}

const allowed: Answer = { decision: 'allowed' };
const denied: Answer = { decision: 'denied' };
const only = (...ways: string[][]): Answer => ({ decision: 'conditional', conditions: ways });

describe('what a change does to access', () => {
  it('calls a denied question now allowed, and a condition dropped, widenings; the reverse narrowings; widenings first', () => {
    const before = reportWith({ 'kms:Encrypt': denied, 'kms:Decrypt': only(['viaDynamoDB', 'context']), 'kms:DescribeKey': allowed });
    const after = reportWith({ 'kms:Encrypt': allowed, 'kms:Decrypt': only(['viaDynamoDB']), 'kms:DescribeKey': denied });
    expect(accessChanges(before, after)).toEqual([
      {
        kind: 'widening',
        where: "Storage key · keys function's role · kms:Decrypt",
        before: 'only through DynamoDB and with the context',
        after: 'only through DynamoDB',
      },
      { kind: 'widening', where: "Storage key · keys function's role · kms:Encrypt", before: 'denied', after: 'allowed' },
      { kind: 'narrowing', where: "Storage key · keys function's role · kms:DescribeKey", before: 'allowed', after: 'denied' },
    ]);
  });

  it('calls a condition added, or one more way in that needs more, a narrowing and no widening', () => {
    const before = reportWith({ 'kms:Decrypt': only(['viaDynamoDB']) });
    expect(accessChanges(before, reportWith({ 'kms:Decrypt': only(['viaDynamoDB', 'context']) })).map((change) => change.kind)).toEqual([
      'narrowing',
    ]);
    expect(accessChanges(before, reportWith({ 'kms:Decrypt': only(['viaDynamoDB'], ['context']) })).map((change) => change.kind)).toEqual([
      'widening',
    ]);
  });

  it('counts a newly asked question as a widening only when it is not denied', () => {
    const before = reportWith({ 'kms:Decrypt': denied });
    expect(accessChanges(before, reportWith({ 'kms:Decrypt': denied, 'kms:Sign': denied }))).toEqual([]);
    expect(accessChanges(before, reportWith({ 'kms:Decrypt': denied, 'kms:Sign': allowed }))).toEqual([
      { kind: 'widening', where: "Storage key · keys function's role · kms:Sign", before: 'not asked', after: 'allowed' },
    ]);
  });

  it('calls a promise that stopped holding a widening', () => {
    const changes = accessChanges(reportWith({}), reportWith({}, false));
    expect(changes).toEqual([{ kind: 'widening', where: 'promise: Nothing widens', before: 'holds', after: 'broken' }]);
    expect(changesInWords(changes)).toBe('WIDENED (1):\n  + promise: Nothing widens: holds → broken');
    expect(changesInWords([])).toBe('No access changed.');
  });
});
