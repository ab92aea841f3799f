/* global document */
// Applies the theme chosen in this browser before the page paints, so a
// dark-theme user never sees the light page first. A classic script in the
// page's head (the page's CSP allows same-origin scripts); the app keeps the
// choice in localStorage (components/theme.ts, same key).
try {
  var theme = localStorage.getItem('lbw.theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // storage disabled: the app's default (System) applies
}
