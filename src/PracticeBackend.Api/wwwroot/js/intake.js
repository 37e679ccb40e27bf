// The intake form works without this file. With it, the person's time zone comes from their browser,
// so that replies and any offered times arrive in their own hours; nothing else is read or sent.
(function () {
  var field = document.getElementById('timeZone');
  if (!field) { return; }
  if (!field.value) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) { field.value = zone; }
    } catch (e) { /* an old browser: the practice's zone is used */ }
  }

  // One send per page: a second press while the first is on its way does nothing (the server would store one anyway).
  var form = field.form;
  form.addEventListener('submit', function (event) {
    var button = document.getElementById('send');
    if (form.dataset.sending === '1') { event.preventDefault(); return; }
    form.dataset.sending = '1';
    if (button) { button.setAttribute('aria-disabled', 'true'); }
  });
})();
