import { describe, expect, it } from 'vitest';
import { isImported, keyStateStatus, originLabel, rotationPeriodLabel } from '../../packages/console/src/pages/master-key/master-key-status.js';

describe('the master key status', () => {
  it('shows KMS key states as the KMS console does, and an unknown one as it is', () => {
    expect(keyStateStatus('Enabled')).toEqual({ type: 'success', text: 'Enabled' });
    expect(keyStateStatus('PendingImport')).toEqual({ type: 'pending', text: 'Pending import' });
    expect(keyStateStatus('Mystery')).toEqual({ type: 'info', text: 'Mystery' });
  });

  it('names the origin, imported material apart', () => {
    expect(originLabel('AWS_KMS')).toBe('AWS KMS');
    expect(originLabel('EXTERNAL')).toMatch(/imported/);
    expect(isImported('EXTERNAL')).toBe(true);
    expect(isImported('AWS_KMS')).toBe(false);
  });

  it('gives the rotation period in days', () => {
    expect(rotationPeriodLabel(365)).toBe('365 days');
    expect(rotationPeriodLabel(null)).toBe('-');
  });
});
