// Talking to the local helios through Chrome's native messaging (docs/extension.md, "Protocol").
// Each request is one sendNativeMessage (Chrome starts `helios native-host` for it); an answer too large
// for one message comes in pages, fetched one by one and joined here.

export const HOST_NAME = 'io.helios.companion';

// Why a request failed: 'missing' (no host manifest: show the install command), 'forbidden' (the
// manifest does not list this extension), 'host' (the host exited or broke the channel), or the error
// code the host answered with.
export class HostError extends Error {
  constructor(kind, message, hint = '') {
    super(message);
    this.kind = kind;
    this.hint = hint;
  }
}

function classify(message) {
  if (/not found/i.test(message)) return new HostError('missing', message);
  if (/forbidden/i.test(message)) return new HostError('forbidden', message);
  return new HostError('host', message);
}

function send(message) {
  return new Promise((resolve, reject) => {
    try {
      chrome.runtime.sendNativeMessage(HOST_NAME, message, (reply) => {
        const error = chrome.runtime.lastError;
        if (error) reject(classify(error.message || String(error)));
        else if (!reply || typeof reply !== 'object') reject(new HostError('host', 'the host sent no reply'));
        else resolve(reply);
      });
    } catch (e) {
      reject(classify(String(e && e.message ? e.message : e)));
    }
  });
}

let nextId = 1;

// Asks the host for `type` ('hello', 'status', 'quota', 'rotations', 'checkpoints', 'catalog') and
// returns its data, joining pages when there are several.
export async function request(type, extra = {}) {
  const id = nextId++;
  const first = await send({ id, type, ...extra });
  if (!first.ok) {
    const e = first.error || {};
    throw new HostError(e.code || 'error', e.message || 'the host answered with an error', e.hint || '');
  }
  if (!first.page) return first.data;
  const { count, digest } = first.page;
  let text = first.chunk;
  for (let index = 1; index < count; index++) {
    const page = await send({ id, type, page: index, ...extra });
    if (!page.ok) throw new HostError(page.error?.code || 'error', page.error?.message || 'paging failed');
    if (page.page.digest !== digest) throw new HostError('changed', 'the data changed while it was read; try again');
    text += page.chunk;
  }
  return JSON.parse(text);
}

// The browser this runs in, for the install command: 'chrome' for Google Chrome, else 'chromium'.
export function browserFlavour(nav = globalThis.navigator) {
  const brands = nav?.userAgentData?.brands || [];
  return brands.some((b) => /google chrome/i.test(b.brand)) ? 'chrome' : 'chromium';
}

export function installCommand(flavour = browserFlavour()) {
  return `helios extension install-host --browser ${flavour}`;
}
