// One code base for both browsers: Firefox's `browser` namespace and Chromium's `chrome` are the
// same promise-returning API in Manifest V3 for everything this extension calls.
declare const browser: typeof chrome | undefined;

export const ext: typeof chrome = typeof browser !== "undefined" ? browser : chrome;

export const isFirefox = (): boolean =>
  "browser_specific_settings" in (ext.runtime.getManifest() as object);

export const HOST_NAME = "org.centime.wallet";
