// A user's own account: changing the password ends every other session; "sign out everywhere" ends them all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

test('changing your password ends your other sessions and keeps this one', async () => {
  const other = t.client();
  await other.signIn('auditor');
  assert.equal((await other.get('/')).statusCode, 200);
  const here = t.client();
  await here.signIn('auditor');
  await here.get('/account');
  const response = await here.post('/account/password', {
    currentPassword: 'demo-password-for-tests',
    newPassword: 'a long and unusual auditor phrase',
    confirmPassword: 'a long and unusual auditor phrase',
  });
  assert.equal(response.statusCode, 303);
  assert.equal(response.headers.location, '/account?changed=1');
  assert.match((await here.get('/account?changed=1')).body, /1 other session was signed out/);
  assert.equal((await other.get('/')).statusCode, 303, 'the other session has ended');
  assert.equal((await t.client().signIn('auditor', 'a long and unusual auditor phrase')).statusCode, 303);
  assert.equal((await t.client().signIn('auditor')).statusCode, 400, 'the old password no longer works');
});

test('a new password is refused when it is common, short, mistyped or the current password is wrong; nothing changes', async () => {
  const client = t.client();
  await client.signIn('researcher');
  await client.get('/account');
  const attempt = (fields: Record<string, string>) =>
    client.post('/account/password', { currentPassword: 'demo-password-for-tests', newPassword: 'x', confirmPassword: 'x', ...fields });
  const cases: Array<[Record<string, string>, string]> = [
    [{ newPassword: 'password1234', confirmPassword: 'password1234' }, 'Choose a password that is not one of the most commonly used passwords'],
    [{ newPassword: 'short', confirmPassword: 'short' }, 'New password must be at least 12 characters'],
    [{ newPassword: 'a long unusual phrase one', confirmPassword: 'a long unusual phrase two' }, 'The two new passwords do not match'],
    [
      { currentPassword: 'not-my-password', newPassword: 'a long unusual phrase one', confirmPassword: 'a long unusual phrase one' },
      'Your current password is not correct',
    ],
  ];
  for (const [fields, message] of cases) {
    const response = await attempt(fields);
    assert.equal(response.statusCode, 400, message);
    assert.deepEqual(errorSummary(response.body), [message]);
  }
  assert.equal((await t.client().signIn('researcher')).statusCode, 303, 'the password is unchanged');
});

test('sign out everywhere ends every session of the account, this one included', async () => {
  const phone = t.client();
  await phone.signIn('assessor');
  const desk = t.client();
  await desk.signIn('assessor');
  await desk.get('/account');
  const response = await desk.post('/account/sign-out-everywhere');
  assert.equal(response.statusCode, 303);
  assert.equal(response.headers.location, '/sign-in');
  assert.equal((await desk.get('/')).statusCode, 303);
  assert.equal((await phone.get('/')).statusCode, 303);
});
