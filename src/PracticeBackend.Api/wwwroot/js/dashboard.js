// The dashboard works without this file. With it, a form sends once per page: a second press while the
// first is on its way (a double click on "Send this message") does nothing, so nothing goes twice.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (form.method.toLowerCase() !== 'post') { return; }
  if (form.dataset.sending === '1') { event.preventDefault(); return; }
  form.dataset.sending = '1';
});
