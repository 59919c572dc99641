// The admin import page: sends the file with a progress bar for the upload, then follows
// the import's progress until its report is ready. Without this script the form posts
// normally and the report appears when the import is done.
(() => {
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

  function show(box, label, fraction) {
    box.hidden = false;
    box.querySelector('.import-progress-label').textContent = label;
    box.querySelector('progress').value = Math.floor(fraction * 100);
  }

  /** Polls the import's status until it ends, then opens its report. */
  function follow(box, statusUrl, pageUrl) {
    const tick = async () => {
      let status;
      try {
        const res = await fetch(statusUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
        status = await res.json();
      } catch {
        setTimeout(tick, 2000);
        return;
      }
      if (status.state !== 'running') {
        window.location.assign(pageUrl);
        return;
      }
      const fraction = status.totalBytes > 0 ? status.bytesRead / status.totalBytes : 0;
      show(box, `Importing: ${Math.floor(fraction * 100)}% read (${mb(status.bytesRead)} of ${mb(status.totalBytes)})`, fraction);
      setTimeout(tick, 500);
    };
    tick();
  }

  const running = document.querySelector('[data-import-progress][data-status-url]');
  if (running) follow(running, running.dataset.statusUrl, running.dataset.pageUrl);

  const form = document.querySelector('[data-import-form]');
  if (!form) return;
  const box = form.querySelector('[data-import-progress]');
  const errorBox = form.querySelector('[data-import-error]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    errorBox.hidden = true;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) show(box, `Uploading: ${Math.floor((e.loaded / e.total) * 100)}% (${mb(e.loaded)} of ${mb(e.total)})`, e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: reported below.
      }
      if (xhr.status === 202 && body) {
        show(box, 'Importing: starting…', 0);
        follow(box, body.status, body.page);
        return;
      }
      button.disabled = false;
      box.hidden = true;
      errorBox.textContent = body?.error?.message ?? `The upload failed (HTTP ${xhr.status}).`;
      errorBox.hidden = false;
    });
    xhr.addEventListener('error', () => {
      button.disabled = false;
      box.hidden = true;
      errorBox.textContent = 'The upload did not reach the server. Check the connection and try again.';
      errorBox.hidden = false;
    });
    show(box, 'Uploading: 0%', 0);
    xhr.send(new FormData(form));
  });
})();
