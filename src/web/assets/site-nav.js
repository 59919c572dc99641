// Kumbaya: the site menu folds behind "Menu" when its items no longer fit on one line
// (a long title, many items, a narrow screen). Without this file the items simply wrap.
(() => {
  'use strict';
  const nav = document.querySelector('.site-nav');
  const toggle = nav?.querySelector('.site-nav-toggle');
  const list = nav?.querySelector('#site-menu');
  if (!nav || !toggle || !list) return;

  const setOpen = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('is-open', open);
  };

  /** Lays the items out in a row and folds them when that row would wrap or overflow. */
  const fit = () => {
    nav.classList.remove('is-collapsed');
    const tops = new Set([...list.children].map((li) => Math.round(li.getBoundingClientRect().top)));
    // The search form beside the menu has moved under it: the bar itself wrapped.
    const search = nav.parentElement?.querySelector('.search-form');
    const barWraps = !!search && search.getBoundingClientRect().top >= nav.getBoundingClientRect().bottom - 1;
    const folds = tops.size > 1 || list.scrollWidth > list.clientWidth + 1 || barWraps;
    nav.classList.toggle('is-collapsed', folds);
    toggle.hidden = !folds;
    if (!folds) setOpen(false);
  };

  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  // Closes as menus do: Escape (back to the button) or a click elsewhere.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || toggle.getAttribute('aria-expanded') !== 'true') return;
    setOpen(false);
    toggle.focus();
  });
  document.addEventListener('click', (event) => {
    if (toggle.getAttribute('aria-expanded') === 'true' && !nav.contains(event.target)) setOpen(false);
  });

  fit();
  let queued = false;
  new ResizeObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fit();
    });
  }).observe(nav.closest('.wrap') ?? document.body);
  // Web fonts or a late stylesheet can change the widths after the first layout.
  window.addEventListener('load', fit);
})();
