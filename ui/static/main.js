// Loaded as a file, not inline, so the content security policy needs no 'unsafe-inline'.
import init from './tongban_ui.js';
init();
