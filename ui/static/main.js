// Loaded as a file, not inline, so the content security policy needs no 'unsafe-inline'.
import init from './tongban_ui.js';
// A window that cannot start says so instead of staying blank.
init().catch((e) => {
  document.body.textContent = '通办无法启动 / Tongban could not start: ' + e;
});
