// A small element builder: every text goes in as a text node, so data from the API can never become markup.

/**
 * h('button', { class: 'button', testid: 'save', onclick: fn }, 'Save')
 * Props: class, testid (data-testid), dataset, on* listeners, booleans as present/absent attributes, the rest as attributes.
 */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'testid') element.dataset.testid = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value') element.value = value;
    else if (name === 'checked') element.checked = true;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces an element's content. */
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

let toastHost;

/** A short message in the corner, gone after a few seconds. */
export function toast(message, kind = 'info') {
  toastHost ??= document.getElementById('toasts');
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', testid: 'toast' }, message);
  toastHost.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}
