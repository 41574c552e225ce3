// jobfleet console: what every page shares. No inline script anywhere (the page's CSP forbids
// it); each page's own behaviour is in its own file, wired by data- attributes.
"use strict";
window.jobfleet = window.jobfleet || {};
