import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditLine, emptyForgetCounts, forgetAuditDetail, forgetChoiceProblem, scrubbedEventDetail } from './person-rights.ts';

describe('forgetting a person: the rules that need no store', () => {
  it('says what happened in one line, naming the person by number only', () => {
    const counts = { ...emptyForgetCounts(), comments: 14, identities: 3, notes: 1, mails: 2, mailsRedacted: 1 };
    const entry = { id: 1, action: 'person-forgotten' as const, detail: forgetAuditDetail(12, 'anonymise', counts, 3), actorId: 3, createdAt: 0 };
    assert.equal(auditLine(entry, 'Ada'), 'Person #12 forgotten by Ada: 14 comments anonymised; 3 identities, 1 note and 2 mails erased; 1 sent mail that quoted them redacted.');
    assert.equal(auditLine({ ...entry, actorId: null }, null), 'Person #12 forgotten by a former team member: 14 comments anonymised; 3 identities, 1 note and 2 mails erased; 1 sent mail that quoted them redacted.');
    const cli = { ...entry, detail: forgetAuditDetail(12, 'trash', { ...emptyForgetCounts(), comments: 1 }, null), actorId: null };
    assert.equal(auditLine(cli, null), 'Person #12 forgotten from the command line: 1 comment moved to the trash, without their name.');
  });

  it('accepts only anonymise or trash for their comments', () => {
    assert.equal(forgetChoiceProblem('anonymise'), null);
    assert.equal(forgetChoiceProblem('trash'), null);
    assert.equal(forgetChoiceProblem('delete')?.code, 'validation_failed');
    assert.equal(forgetChoiceProblem(undefined)?.code, 'validation_failed');
  });

  it('takes their name and addresses out of another person’s merge record, and leaves other records alone', () => {
    const merged = {
      kind: 'merged' as const,
      detail: {
        merged: [{ id: 5, name: 'Ada' }, { id: 6, name: 'Bob' }], survivorId: 9, survivorBefore: { name: 'Cy', email: 'cy@example.com', website: null },
        records: [
          { person: { id: 5, name: 'Ada', email: 'ada@example.com', website: 'https://ada.example', createdAt: 1 }, trust: { trust: 'hold', reason: 'she asked', mutedUntil: null }, droppedIdentities: [{ value: 'ada@example.com' }], comments: [1] },
          { person: { id: 6, name: 'Bob', email: 'bob@example.com', website: null, createdAt: 1 }, trust: { trust: 'normal', reason: null, mutedUntil: null }, droppedIdentities: [], comments: [2] },
        ],
      },
    };
    const out = scrubbedEventDetail(merged, 5) as any;
    assert.doesNotMatch(JSON.stringify(out), /ada|she asked/i);
    assert.deepEqual(out.merged, [{ id: 5, name: 'Someone' }, { id: 6, name: 'Bob' }]);
    assert.deepEqual(out.records[0].comments, [1], 'the ids an undo needs stay');
    assert.equal(out.records[1].person.email, 'bob@example.com');
    assert.equal(scrubbedEventDetail(merged, 7), null);
    assert.equal((scrubbedEventDetail(merged, 9) as any).survivorBefore.email, null);
    assert.deepEqual((scrubbedEventDetail({ kind: 'split', detail: { mergeEventId: 1, restored: [{ id: 5, name: 'Ada' }] } }, 5) as any).restored, [{ id: 5, name: 'Someone' }]);
    assert.equal(scrubbedEventDetail({ kind: 'trust', detail: { reason: 'x' } }, 5), null);
  });
});
