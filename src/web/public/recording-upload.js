// The recording upload on a session's recordings page: tus-js-client (loaded before this as window.tus) sends the
// chosen file in pieces to /uploads with the page's CSRF token, retries after a dropped connection and carries on
// from the offset the server reports; an upload left unfinished (page closed, server restarted) is found again
// when the same file is chosen. Without JavaScript the form stays hidden and the page explains what to do instead.
const form = document.getElementById('recording-upload');
const tus = window.tus;

if (form && tus && tus.isSupported) {
  const input = document.getElementById('recording');
  const progress = document.getElementById('upload-progress');
  const start = document.getElementById('upload-start');
  const errorBox = document.getElementById('upload-error');
  const errorMessage = document.getElementById('upload-error-message');
  const csrfToken = form.querySelector('input[name="_csrf"]').value;
  document.getElementById('upload-needs-javascript').hidden = true;
  form.hidden = false;

  const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

  const showError = (message) => {
    errorMessage.textContent = message;
    errorBox.hidden = false;
    input.closest('.govuk-form-group').classList.add('govuk-form-group--error');
    progress.textContent = '';
    start.disabled = false;
    errorBox.focus();
  };

  /** The API's { error: { message } } when the server refused the upload, else what went wrong on the way. */
  const reasonOf = (error) => {
    const body = error.originalResponse && error.originalResponse.getBody();
    try {
      return JSON.parse(body).error.message;
    } catch {
      return 'The upload stopped and could not carry on. Check the connection and choose the file again to carry on from where it stopped.';
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    input.closest('.govuk-form-group').classList.remove('govuk-form-group--error');
    const file = input.files && input.files[0];
    if (!file) return showError('Choose the recording file to upload');
    start.disabled = true;
    errorBox.setAttribute('tabindex', '-1');
    const upload = new tus.Upload(file, {
      endpoint: form.dataset.endpoint,
      chunkSize: Number(form.dataset.chunkBytes),
      retryDelays: [0, 1000, 3000, 5000, 10000, 30000],
      headers: { 'X-CSRF-Token': csrfToken },
      metadata: { sessionId: form.dataset.sessionId },
      removeFingerprintOnSuccess: true,
      onProgress(sent, total) {
        progress.textContent = `Uploaded ${Math.floor((sent / total) * 100)}% (${megabytes(sent)} of ${megabytes(total)})`;
      },
      onError(error) {
        showError(reasonOf(error));
      },
      onSuccess({ lastResponse }) {
        progress.textContent = 'Uploaded. Checking the recording…';
        const id = lastResponse.getHeader('Recording-Id');
        window.location.assign(id ? `/recordings/${id}` : window.location.pathname);
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}
